import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { signedHeaders } from '../../src/provisioning/webhook-signature';
import { Api } from '../support/api';
import { eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'A100-SXM.eu-west.firm';

/** A seller's cluster that hands over access details the database cannot store (a NUL in them). */
async function hostileCluster(): Promise<{ server: Server; url: string; provisions: string[] }> {
  const provisions: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const type = (JSON.parse(body) as { type: string }).type;
      if (type === 'lease.provision') provisions.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(type === 'lease.provision' ? '{"status":"active","access":{"host":"a\\u0000b"}}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, provisions };
}

/**
 * One account's bad input never fails another account's command: while several accounts trade, a hostile one
 * sends what PostgreSQL cannot store (NUL bytes, lone surrogates, integers beyond the columns) and gets a 4xx,
 * and every other account's order is acknowledged.
 */
describe('hostile input among honest traders', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let cluster: Awaited<ReturnType<typeof hostileCluster>>;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      PROVISIONING_RETRY_BASE_MS: '100',
      PROVISIONING_RETRY_MAX_MS: '400',
    });
    api = new Api(exchange);
    cluster = await hostileCluster();
  });

  afterAll(async () => {
    await exchange?.stop();
    await new Promise((resolve) => cluster?.server.close(resolve));
    await database?.drop();
  });

  it('refuses every hostile request with a 4xx while every honest order of four other accounts is acknowledged', async () => {
    const traders = await Promise.all(
      [1, 2, 3, 4].map((i) => api.account(`honest ${i}`, ['trade', 'read'], '100000')),
    );
    const seller = await api.seller('honest seller', { gpu: 'A100-SXM', region: 'eu-west', gpuCount: 4096 });
    const hostile = await api.account('hostile', ['trade', 'read'], '100000');
    const hostileSeller = await api.seller('hostile seller', {
      gpu: 'A100-SXM',
      region: 'eu-west',
      gpuCount: 64,
      webhookUrl: cluster.url,
    });
    const order = (price: string, more: Record<string, unknown> = {}) => ({
      symbol: SYMBOL,
      side: 'buy',
      type: 'limit',
      price,
      quantity: 8,
      durationHours: 1,
      ...more,
    });
    const post = (key: string, body: object) =>
      api.http.post('/v1/orders').set('Authorization', key).send(body);
    const hostileRequests = (round: number) => [
      api.http
        .put('/v1/account/ssh-key')
        .set('Authorization', hostile.key)
        .send({ sshPublicKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkd alice\u0000${round}@lab` }),
      post(hostile.key, order('1.00', { clientOrderId: `nul\u0000${round}` })),
      post(hostile.key, order('1.00', { clientOrderId: `lone-${round}-\ud800` })),
      post(hostile.key, order('1.00', { clientOrderId: `lone-${round}-\ud801` })),
      post(hostile.key, order('1.00', { quantity: 2 ** 31 })),
      post(hostile.key, order('1.00', { durationHours: 2 ** 31 })),
      api.http
        .get(`/v1/orders?symbol=${encodeURIComponent(`${SYMBOL}\u0000`)}`)
        .set('Authorization', hostile.key),
      api.http.get(`/v1/markets/${encodeURIComponent('H100-SXM\u0000')}`),
    ];

    // The hostile seller's cluster answers with access the database cannot store; its lease trades in the mix.
    await post(hostileSeller.key, {
      symbol: SYMBOL,
      side: 'sell',
      type: 'limit',
      price: '3.00',
      quantity: 8,
      clusterId: hostileSeller.cluster,
    }).expect(201);
    await post(hostile.key, order('3.00')).expect(201);

    const honest: Promise<{ status: number }>[] = [];
    const bad: Promise<{ status: number; body: { error?: { code: string } } }>[] = [];
    for (let round = 0; round < 12; round++) {
      for (const [i, trader] of traders.entries()) {
        honest.push(post(trader.key, order(`1.${String(10 + round).padStart(2, '0')}`)));
        honest.push(
          post(seller.key, {
            symbol: SYMBOL,
            side: 'sell',
            type: 'limit',
            price: `1.${String(10 + round).padStart(2, '0')}`,
            quantity: 8,
            clusterId: seller.cluster,
            clientOrderId: `s-${round}-${i}`,
          }),
        );
      }
      bad.push(...hostileRequests(round));
    }
    const honestStatuses = (await Promise.all(honest)).map((r) => r.status);
    const badAnswers = await Promise.all(bad);
    expect(honestStatuses.filter((s) => s !== 201)).toEqual([]);
    expect(badAnswers.filter((r) => r.status < 400 || r.status >= 500).map((r) => r.status)).toEqual([]);
    for (const r of badAnswers.filter((r) => r.body.error))
      expect(['INVALID_REQUEST', 'INVALID_QUANTITY', 'INVALID_DURATION']).toContain(r.body.error?.code);

    // Over the WebSocket too: the frame is refused, the connection stays open, the next order is acknowledged.
    const ws = await WsClient.connect(exchange.url);
    expect(await ws.request({ op: 'auth', apiKey: hostile.key.slice('Bearer '.length) })).toMatchObject({
      type: 'authenticated',
    });
    const badFrame = await ws.request({ op: 'place', order: order('1.00', { clientOrderId: 'ws\u0000' }) });
    expect(badFrame).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    expect(await ws.request({ op: 'place', order: order('1.00') })).toMatchObject({ type: 'ack' });
    ws.close();

    // The cluster's answer cannot be stored: it is no answer, retried (the lease stays provisioning).
    const leases = (await api.http.get('/v1/leases').set('Authorization', hostile.key).expect(200)).body;
    const hostileLease = leases.find((l: { sellerId: string }) => l.sellerId === hostileSeller.id);
    const pending = await eventually(async () => {
      const { body } = await api.http
        .get(`/v1/clusters/${hostileSeller.cluster}/deliveries?status=pending`)
        .set('Authorization', hostileSeller.key)
        .expect(200);
      return body.find((d: { attempts: number }) => d.attempts >= 2);
    });
    expect(pending.lastError).toMatch(/text the exchange can store/);
    expect(cluster.provisions.length).toBeGreaterThanOrEqual(2);
    const still = await api.http
      .get(`/v1/leases/${hostileLease.id}`)
      .set('Authorization', hostile.key)
      .expect(200);
    expect(still.body.status).toBe('provisioning');

    // Its signed callback with a NUL in the reason: 400, and the lease is unchanged.
    const callback = JSON.stringify({ leaseId: hostileLease.id, status: 'failed', reason: 'broken\u0000' });
    const refused = await api.http
      .post('/v1/provisioning/callback')
      .set(signedHeaders(hostileSeller.webhookSecret, 'msg_hostile', callback))
      .set('content-type', 'application/json')
      .send(callback);
    expect(refused.status).toBe(400);

    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body).toMatchObject({ balanced: true });
  });

  it('keeps a deposit with 25 significant digits exact, in memory and in the ledger', async () => {
    const amount = '123456789012345.1234567891';
    const rich = await api.account('rich', ['trade', 'read'], amount);
    const account = await api.http.get('/v1/account').set('Authorization', rich.key).expect(200);
    expect(account.body.balance.available).toBe(amount);
    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body).toMatchObject({ balanced: true });
  });
});
