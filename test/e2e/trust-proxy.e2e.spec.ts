import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const CLIENT = '203.0.113.7';

/**
 * Behind a load balancer every client comes from the balancer's address: with TRUST_PROXY naming it, key
 * allowlists and per-address limits see the client it names in X-Forwarded-For, over REST and WebSocket alike;
 * without it, X-Forwarded-For is ignored (a client cannot claim another address).
 */
describe('clients behind a trusted proxy', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let key: string;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      TRUST_PROXY: '127.0.0.1',
      WS_CONNECTIONS_PER_ADDRESS: '2',
    });
    api = new Api(exchange);
    const account = await api.account('behind a proxy', ['read', 'trade']);
    const created = await api.http
      .post('/v1/account/api-keys')
      .set('Authorization', account.key)
      .send({ label: 'office', scopes: ['read'], allowedIps: [`${CLIENT}/32`] })
      .expect(201);
    key = created.body.apiKey;
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  const account = (exchangeApi: Api, forwardedFor?: string) => {
    const request = exchangeApi.http.get('/v1/account').set('Authorization', `Bearer ${key}`);
    return forwardedFor ? request.set('X-Forwarded-For', forwardedFor) : request;
  };

  it("a key's address allowlist sees the client the trusted proxy names, over REST and WebSocket", async () => {
    await account(api, CLIENT).expect(200);
    await account(api, `198.51.100.9, ${CLIENT}`).expect(200); // the proxy appends the client it saw
    expect((await account(api, '198.51.100.9').expect(403)).body.error.code).toBe('FORBIDDEN');
    await account(api).expect(403); // the proxy itself, 127.0.0.1

    const inside = await WsClient.connect(exchange.url, { 'X-Forwarded-For': CLIENT });
    expect((await inside.request({ op: 'auth', apiKey: key })).type).toBe('authenticated');
    const outside = await WsClient.connect(exchange.url, { 'X-Forwarded-For': '198.51.100.9' });
    expect(await outside.request({ op: 'auth', apiKey: key })).toMatchObject({
      type: 'error',
      code: 'FORBIDDEN',
    });
    inside.close();
    outside.close();
  });

  it('per-address WebSocket limits count each client, not the proxy', async () => {
    const clients = await Promise.all(
      ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((address) =>
        WsClient.connect(exchange.url, { 'X-Forwarded-For': address }),
      ),
    );
    const same = [
      await WsClient.connect(exchange.url, { 'X-Forwarded-For': '198.51.100.4' }),
      await WsClient.connect(exchange.url, { 'X-Forwarded-For': '198.51.100.4' }),
      await WsClient.connect(exchange.url, { 'X-Forwarded-For': '198.51.100.4' }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(clients.map((c) => c.closed)).toEqual([null, null, null]);
    expect(same.map((c) => c.closed?.code ?? null)).toEqual([null, null, 4030]);
    for (const c of [...clients, ...same]) c.close();
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    await exchange.stop();
    exchange = await ExchangeProcess.start(database);
    const direct = new Api(exchange);
    expect((await account(direct, CLIENT).expect(403)).body.error.code).toBe('FORBIDDEN');
  });
});
