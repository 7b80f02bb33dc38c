import { Client } from 'pg';
import { Api } from '../support/api';
import { eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { TcpProxy } from '../support/tcp-proxy';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'MI300X.us-east.firm';
/** Every batch the writer commits is one statement of data-modifying CTEs, and nothing else begins so. */
const BATCH = 'with w0 as (';
// Needs a PostgreSQL to put a proxy in front of: runs in `npm run test:pg`, not against the embedded database.
const describeWithPostgres = process.env.E2E_DATABASE === 'postgres' ? describe : describe.skip;

/**
 * Faults on the wire between the exchange and a real PostgreSQL, made by a proxy that reads the protocol: an
 * answer lost after the commit, the database cut and restored, a slow commit, a batch that never arrives.
 */
describeWithPostgres('PostgreSQL faults on the wire', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let proxiedUrl: string;
  let exchange: ExchangeProcess;
  let api: Api;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string };

  const order = (price: string, more: Record<string, unknown> = {}) => ({
    symbol: SYMBOL,
    side: 'buy',
    type: 'limit',
    price,
    quantity: 8,
    durationHours: 2,
    ...more,
  });
  const place = (key: string, body: object) =>
    api.http.post('/v1/orders').set('Authorization', key).send(body);
  const audit = async () =>
    (await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200)).body;
  const ordersWith = async (clientOrderId: string) =>
    (await api.http.get('/v1/orders?limit=1000').set('Authorization', buyer.key).expect(200)).body.filter(
      (o: { clientOrderId: string | null }) => o.clientOrderId === clientOrderId,
    );
  /** Polls until the exchange places orders again (it recovers by itself), for at most 15 s. */
  const placesAgain = (price: string) =>
    eventually(
      async () => {
        const res = await place(buyer.key, order(price));
        return res.status === 201 ? res.body : null;
      },
      15_000,
      'the exchange to take orders again',
    );

  beforeAll(async () => {
    database = await freshDatabase();
    const url = new URL(database.env.DATABASE_URL);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.port = String(proxy.port);
    proxiedUrl = url.toString();
    exchange = await ExchangeProcess.start(
      { ...database, env: { DATABASE_URL: proxiedUrl } },
      { PROVISIONER: 'instant', TEST_CLOCK: 'true' },
    );
    api = new Api(exchange);
    buyer = await api.account('lab', ['trade', 'read'], '100000');
    seller = await api.seller('cloud', { gpu: 'MI300X', region: 'us-east', gpuCount: 512 });
  });

  afterAll(async () => {
    await exchange?.stop();
    await proxy?.cut();
    await database?.drop();
  });

  it('an answer lost after the commit: the exchange asks the database, acknowledges the order once, and goes on', async () => {
    proxy.onNext(BATCH, { kind: 'drop-answer' });
    const first = await place(buyer.key, order('1.00', { clientOrderId: 'lost-answer' }));
    expect(proxy.pendingFaults).toBe(0);
    expect(first.status).toBe(201);
    const again = await place(buyer.key, order('1.00', { clientOrderId: 'lost-answer' })).expect(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await ordersWith('lost-answer')).toHaveLength(1);
    // The counters are where the database is: the next orders and deposits commit.
    await place(buyer.key, order('1.01')).expect(201);
    await api.http
      .post(`/v1/admin/accounts/${buyer.id}/deposits`)
      .set('Authorization', api.admin())
      .send({ amount: '1' })
      .expect(201);
    expect(await audit()).toMatchObject({ balanced: true });
  });

  it('an answer lost while the database stays unreachable: OUTCOME_UNKNOWN, then a retry by clientOrderId finds the one order', async () => {
    proxy.onNext(BATCH, { kind: 'drop-answer-then-down', ms: 5000 });
    const unknown = await place(buyer.key, order('1.02', { clientOrderId: 'unknown-outcome' }));
    expect(unknown.status).toBe(503);
    expect(unknown.body.error.code).toBe('OUTCOME_UNKNOWN');
    expect(unknown.body.error.message).toMatch(/retry with the same clientOrderId/);
    const retried = await eventually(
      async () => {
        const res = await place(buyer.key, order('1.02', { clientOrderId: 'unknown-outcome' }));
        return res.status === 200 || res.status === 201 ? res : null;
      },
      20_000,
      'the retry to be answered',
    );
    expect(retried.status).toBe(200);
    expect(await ordersWith('unknown-outcome')).toHaveLength(1);
    await placesAgain('1.03');
    expect(await audit()).toMatchObject({ balanced: true });
  });

  it('reads do not queue behind the writer: the book answers while an order is committing, and shows only what committed', async () => {
    const before = (await api.http.get(`/v1/markets/${SYMBOL}/book`).expect(200)).body;
    proxy.onNext(BATCH, { kind: 'delay-answer', ms: 1500 });
    const finished: string[] = [];
    const placing = place(buyer.key, order('1.04')).then((res) => {
      finished.push('order');
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const book = await api.http.get(`/v1/markets/${SYMBOL}/book`).expect(200);
    finished.push('book');
    expect(book.body).toEqual(before);
    expect((await placing).status).toBe(201);
    expect(finished).toEqual(['book', 'order']);
    const after = (await api.http.get(`/v1/markets/${SYMBOL}/book`).expect(200)).body;
    expect(after.bids[0]).toEqual(['1.04', 8]);
  });

  it('a crossing order whose batch never reaches the database: the resting order stays open, on its private channel and in REST', async () => {
    const sellerWs = await WsClient.connect(exchange.url);
    const buyerWs = await WsClient.connect(exchange.url);
    await sellerWs.request({ op: 'auth', apiKey: seller.key.slice('Bearer '.length) });
    await buyerWs.request({ op: 'auth', apiKey: buyer.key.slice('Bearer '.length) });
    await sellerWs.request({ op: 'subscribe', channel: 'orders' });
    // The resting order's commit is slow; the crossing order runs into the next batch meanwhile, which is cut.
    proxy.onNext(BATCH, { kind: 'delay-answer', ms: 600 });
    proxy.onNext(BATCH, { kind: 'cut-before' });
    const resting = sellerWs.request({
      op: 'place',
      order: {
        symbol: SYMBOL,
        side: 'sell',
        type: 'limit',
        price: '3.00',
        quantity: 8,
        clusterId: seller.cluster,
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const crossing = buyerWs.request({ op: 'place', order: order('3.00') });
    const ack = await resting;
    expect(ack).toMatchObject({ type: 'ack', order: { status: 'open' } });
    expect(await crossing).toMatchObject({ type: 'error', code: 'UNAVAILABLE' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const id = (ack.order as { id: string }).id;
    const shown = sellerWs
      .on('orders')
      .map((m) => m.order as { id: string; status: string })
      .filter((o) => o.id === id);
    expect(shown.map((o) => o.status)).toEqual(['open']);
    const rest = await api.http.get(`/v1/orders/${id}`).set('Authorization', seller.key).expect(200);
    expect(rest.body.status).toBe('open');
    sellerWs.close();
    buyerWs.close();
    expect(await audit()).toMatchObject({ balanced: true });
  });

  it('a notice and the end it leads to, committed in one batch, are two settlement events', async () => {
    const INT = 'H100-SXM.us-east.int';
    const intSeller = await api.seller('int cloud', { gpu: 'H100-SXM', region: 'us-east', gpuCount: 64 });
    await place(intSeller.key, {
      symbol: INT,
      side: 'sell',
      type: 'limit',
      price: '1.50',
      quantity: 8,
      clusterId: intSeller.cluster,
    }).expect(201);
    const bought = await place(buyer.key, { ...order('1.50'), symbol: INT, durationHours: 4 }).expect(201);
    expect(bought.body.status).toBe('filled');
    const fills = (await api.http.get('/v1/fills?limit=1').set('Authorization', buyer.key).expect(200)).body;
    const leaseId = fills[0].leaseId;
    // A slow commit holds the writer: once it is on its way, the interrupt and a clock past the notice run into
    // the next batch together.
    proxy.onNext(BATCH, { kind: 'delay-answer', ms: 1500 });
    const slow = place(buyer.key, order('1.05')).then((res) => res); // sent now (supertest sends on then)
    await eventually(async () => proxy.pendingFaults === 0, 5000, 'the slow commit to be on its way');
    const interrupting = api.http
      .post(`/v1/leases/${leaseId}/interrupt`)
      .set('Authorization', intSeller.key)
      .then((res) => res);
    // The interrupt reads the lease first; the clock moves once it is queued (both behind the slow commit).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const advancing = api.http
      .post('/v1/admin/clock/advance')
      .set('Authorization', api.admin())
      .send({ seconds: 3600 })
      .then((res) => res);
    const [interrupt, advance] = await Promise.all([interrupting, advancing]);
    expect(interrupt.status).toBe(200);
    expect(advance.status).toBe(200);
    await slow;
    const events = (
      await api.http.get('/v1/admin/events?limit=1000').set('Authorization', api.admin()).expect(200)
    ).body as { seq: number; key: string; event: { type: string } }[];
    const mine = events.filter((e) => e.key === leaseId);
    expect(mine.map((e) => e.event.type)).toEqual([
      'lease.active',
      'lease.interrupt_noticed',
      'lease.interrupted',
    ]);
    // They did commit together: one outbox row (one batch) holds both.
    const db = new Client({ connectionString: database.env.DATABASE_URL });
    await db.connect();
    const { rows } = await db.query(`select 1 from outbox where first_seq <= $1 and last_seq >= $2`, [
      mine[1].seq,
      mine[2].seq,
    ]);
    await db.end();
    expect(rows).toHaveLength(1);
    const lease = await api.http.get(`/v1/leases/${leaseId}`).set('Authorization', buyer.key).expect(200);
    expect(lease.body.status).toBe('interrupted');
  });

  it('the database cut and restored: 503 UNAVAILABLE meanwhile, nothing changed, and orders again by itself', async () => {
    const book = async () => (await api.http.get(`/v1/markets/${SYMBOL}/book`).expect(200)).body;
    const balance = async () =>
      (await api.http.get('/v1/account').set('Authorization', buyer.key).expect(200)).body.balance;
    const before = { book: await book(), balance: await balance() };
    await proxy.cut();
    const refused = await place(buyer.key, order('1.10')).expect(503);
    expect(refused.body.error.code).toBe('UNAVAILABLE');
    await api.http.get('/ready').expect(503);
    await api.http.get('/health').expect(200);
    // Reads from memory still answer while the database is away.
    expect(await book()).toEqual(before.book);
    await proxy.restore();
    await eventually(async () => (await api.http.get('/ready')).status === 200, 15_000, 'ready');
    expect(await balance()).toEqual(before.balance);
    const placed = await placesAgain('1.20');
    expect((await book()).bids[0]).toEqual(['1.2', 8]);
    expect(placed.status).toBe('open');
    expect(await audit()).toMatchObject({ balanced: true });
  });

  it('a database outage during the first use after a start: sell orders work again once it is back, without a restart', async () => {
    await exchange.stop();
    exchange = await ExchangeProcess.start(
      { ...database, env: { DATABASE_URL: proxiedUrl } },
      { PROVISIONER: 'instant' },
    );
    api = new Api(exchange);
    const sell = () =>
      place(seller.key, {
        symbol: SYMBOL,
        side: 'sell',
        type: 'limit',
        price: '5.00',
        quantity: 8,
        clusterId: seller.cluster,
      });
    // The seller's key is known (cached) before the outage, so the sell gets as far as the clusters it names.
    await api.http.get('/v1/orders').set('Authorization', seller.key).expect(200);
    await proxy.cut();
    expect((await sell()).status).toBe(503);
    await proxy.restore();
    const placed = await eventually(
      async () => {
        const res = await sell();
        return res.status === 201 ? res.body : null;
      },
      15_000,
      'a sell order to be taken',
    );
    expect(placed.status).toBe('open');
  });
});
