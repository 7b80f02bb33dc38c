import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

describe('rate limits', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      KEY_RATE_LIMIT_PER_SECOND: '5',
      RATE_LIMIT_PER_SECOND: '40',
      WS_MESSAGES_PER_SECOND: '5',
    });
    api = new Api(exchange);
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  it('answers 429 RATE_LIMITED per key, without slowing other keys', async () => {
    const busy = await api.account('busy', ['read']);
    const calm = await api.account('calm', ['read']);
    const statuses = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await api.http.get('/v1/account').set('Authorization', busy.key)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    const limited = await api.http.get('/v1/account').set('Authorization', busy.key).expect(429);
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    await api.http.get('/v1/account').set('Authorization', calm.key).expect(200);
  });

  it('answers 429 RATE_LIMITED per address', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await api.http.get('/v1/markets/B200.us-east.firm')).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('answers RATE_LIMITED to a WebSocket client over its frame rate, and disconnects a flood', async () => {
    const client = await WsClient.connect(exchange.url);
    for (let i = 0; i < 8; i++) client.sendRaw(JSON.stringify({ op: 'ping', requestId: i }));
    await client.seen((m) => m.requestId === 7);
    const replies = client.messages.filter((m) => typeof m.requestId === 'number');
    expect(replies.filter((m) => m.type === 'pong')).toHaveLength(5);
    expect(replies.filter((m) => m.code === 'RATE_LIMITED')).toHaveLength(3);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 30; i++) client.sendRaw(JSON.stringify({ op: 'ping' }));
    expect(await closed).toBe(4029);
  });
});
