import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { Api } from '../support/api';
import { agentSeller, eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const FIRM = 'H100-SXM.us-west.firm';
const INT = 'H100-SXM.us-west.int';

describe('leases and the test clock', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let agent: ClusterAgent;
  let seller: { id: string; key: string; cluster: string };
  let buyer: { id: string; key: string };

  const balance = async (key: string) =>
    (await api.http.get('/v1/account').set('Authorization', key).expect(200)).body.balance;
  const advance = (seconds: number) =>
    api.http.post('/v1/admin/clock/advance').set('Authorization', api.admin()).send({ seconds }).expect(200);

  /** The seller offers GPUs of its cluster on the firm market at 3.00. */
  const offer = (quantity: number) =>
    api.http.post('/v1/orders').set('Authorization', seller.key).send({
      symbol: FIRM,
      side: 'sell',
      type: 'limit',
      price: '3.00',
      quantity,
      clusterId: seller.cluster,
    });

  /** A sell then a crossing buy: returns the lease the trade opened. */
  async function trade(symbol: string, price: string, quantity: number, hours: number) {
    await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({ symbol, side: 'sell', type: 'limit', price, quantity, clusterId: seller.cluster })
      .expect(201);
    await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol, side: 'buy', type: 'limit', price, quantity, durationHours: hours })
      .expect(201);
    const fill = (await api.http.get('/v1/fills?limit=1').set('Authorization', buyer.key).expect(200))
      .body[0];
    // The seller's cluster (the reference agent) provisions it: the lease's paid time starts then.
    return eventually(async () => {
      const lease = (
        await api.http.get(`/v1/leases/${fill.leaseId}`).set('Authorization', buyer.key).expect(200)
      ).body;
      return lease.status === 'active' ? lease : null;
    });
  }

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, { TEST_CLOCK: 'true' });
    api = new Api(exchange);
    ({ agent, seller } = await agentSeller(api, exchange.url, 'Neocloud', {
      gpu: 'H100-SXM',
      region: 'us-west',
      gpuCount: 16,
    }));
    buyer = await api.account('AI lab', ['trade', 'read'], '5000');
  });

  afterAll(async () => {
    await agent?.stop();
    await exchange?.stop();
    await database?.drop();
  });

  afterEach(async () => {
    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body).toEqual({ balanced: true, problems: [] });
  });

  it('a trade opens a lease, active once provisioned, that ends and settles when its time is up', async () => {
    const lease = await trade(FIRM, '2.00', 16, 10);
    expect(lease).toMatchObject({
      symbol: FIRM,
      quantity: 16,
      price: '2',
      durationHours: 10,
      status: 'active',
    });
    expect(Date.parse(lease.endAt) - Date.parse(lease.startAt)).toBe(10 * 3600_000);
    expect(await balance(buyer.key)).toEqual({ available: '4680', held: '0', escrow: '320' });
    // The cluster's 16 GPUs are all leased: nothing more to offer until the lease ends.
    const full = await offer(8).expect(400);
    expect(full.body.error.code).toBe('INSUFFICIENT_CAPACITY');
    await api.http.get(`/v1/leases/${lease.id}`).set('Authorization', seller.key).expect(200);
    const stranger = await api.account('stranger', ['read', 'trade']);
    await api.http.get(`/v1/leases/${lease.id}`).set('Authorization', stranger.key).expect(404);

    await advance(9 * 3600);
    expect((await api.http.get(`/v1/leases/${lease.id}`).set('Authorization', buyer.key)).body.status).toBe(
      'active',
    );
    await advance(3600);
    const ended = (await api.http.get(`/v1/leases/${lease.id}`).set('Authorization', buyer.key).expect(200))
      .body;
    // 320 USD notional; the firm market's fee is 50 bps: 1.6 to the exchange, 318.4 to the seller.
    expect(ended).toMatchObject({ status: 'ended', settlement: { paid: '320', fee: '1.6', refunded: '0' } });
    expect(await balance(buyer.key)).toEqual({ available: '4680', held: '0', escrow: '0' });
    expect(await balance(seller.key)).toEqual({ available: '318.4', held: '0', escrow: '0' });
    await offer(16).expect(201);
    await api.http.delete('/v1/orders').set('Authorization', seller.key).expect(200);
  });

  it('the buyer may release early and still pays the firm lease in full', async () => {
    const before = await balance(seller.key);
    const lease = await trade(FIRM, '1.50', 8, 4);
    const notSeller = await api.http
      .post(`/v1/leases/${lease.id}/release`)
      .set('Authorization', seller.key)
      .expect(403);
    expect(notSeller.body.error.code).toBe('FORBIDDEN');
    const released = await api.http
      .post(`/v1/leases/${lease.id}/release`)
      .set('Authorization', buyer.key)
      .expect(200);
    expect(released.body).toMatchObject({
      status: 'released',
      settlement: { paid: '48', fee: '0.24', refunded: '0' },
    });
    expect(Number((await balance(seller.key)).available) - Number(before.available)).toBeCloseTo(47.76);
    const again = await api.http
      .post(`/v1/leases/${lease.id}/release`)
      .set('Authorization', buyer.key)
      .expect(409);
    expect(again.body.error.code).toBe('LEASE_NOT_ACTIVE');
  });

  it('an interrupt ends an interruptible lease after the notice; the buyer pays only whole hours delivered', async () => {
    const firm = await trade(FIRM, '1.00', 8, 2);
    const refused = await api.http
      .post(`/v1/leases/${firm.id}/interrupt`)
      .set('Authorization', seller.key)
      .expect(400);
    expect(refused.body.error.code).toBe('INVALID_REQUEST');
    await api.http.post(`/v1/leases/${firm.id}/release`).set('Authorization', buyer.key).expect(200);

    const before = await balance(buyer.key);
    const lease = await trade(INT, '2.00', 8, 10);
    await advance(2 * 3600);
    const noticed = await api.http
      .post(`/v1/leases/${lease.id}/interrupt`)
      .set('Authorization', seller.key)
      .expect(200);
    // The test clock is real time plus what the test added, so a few real milliseconds pass as well.
    const notice =
      Date.parse(noticed.body.interruptAt) - Date.parse(lease.startAt) - (2 * 3600_000 + 15 * 60_000);
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(notice).toBeLessThan(5000);
    await api.http.post(`/v1/leases/${lease.id}/interrupt`).set('Authorization', seller.key).expect(409);
    await advance(15 * 60);
    const done = (await api.http.get(`/v1/leases/${lease.id}`).set('Authorization', buyer.key).expect(200))
      .body;
    // 2 h 15 min delivered: 2 whole hours of 8 GPUs at 2.00 = 32 USD paid (fee 30 bps), 128 USD refunded.
    expect(done).toMatchObject({
      status: 'interrupted',
      settlement: { paid: '32', fee: '0.096', refunded: '128' },
    });
    expect(Number(before.available) - Number((await balance(buyer.key)).available)).toBeCloseTo(32);
  });

  it('a release during the interrupt notice pays the whole hours delivered, as the interruption would have', async () => {
    const lease = await trade(INT, '2.00', 8, 10);
    await advance(3 * 3600 + 60);
    await api.http.post(`/v1/leases/${lease.id}/interrupt`).set('Authorization', seller.key).expect(200);
    await advance(5 * 60);
    const released = await api.http
      .post(`/v1/leases/${lease.id}/release`)
      .set('Authorization', buyer.key)
      .expect(200);
    // 3 h 6 min delivered: 3 whole hours of 8 GPUs at 2.00 = 48 USD paid, 112 of the 160 escrowed refunded.
    expect(released.body).toMatchObject({
      status: 'released',
      settlement: { paid: '48', fee: '0.144', refunded: '112' },
    });
    const events = (
      await api.http.get('/v1/admin/events?limit=1000').set('Authorization', api.admin()).expect(200)
    ).body.filter(
      (e: { event: { type: string; data: { leaseId?: string } } }) =>
        e.event.data.leaseId === lease.id && /^(lease|settlement)\./.test(e.event.type),
    );
    expect(events.map((e: { event: { type: string } }) => e.event.type)).toEqual([
      'lease.provisioning',
      'lease.verifying',
      'lease.active',
      'lease.interrupt_noticed',
      'lease.released',
      'settlement.paid',
      'settlement.refunded',
    ]);
    expect(events[5].event.data).toMatchObject({ amount: expect.any(String), leaseId: lease.id });
    const paid = events[5].event.data.postings.find((p: { book: string }) => p.book === 'escrow');
    expect(paid.amount).toBe('-48');
  });

  it('GTD orders expire when the clock passes expireAt, releasing their hold', async () => {
    const before = await balance(buyer.key);
    const now = (await advance(1)).body.now;
    const expireAt = new Date(Date.parse(now) + 30 * 60_000).toISOString();
    const { body } = await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({
        symbol: FIRM,
        side: 'buy',
        type: 'limit',
        price: '1.00',
        quantity: 8,
        durationHours: 1,
        timeInForce: 'GTD',
        expireAt,
      })
      .expect(201);
    expect((await balance(buyer.key)).held).toBe('8');
    await advance(3600);
    const expired = (await api.http.get(`/v1/orders/${body.id}`).set('Authorization', buyer.key)).body;
    expect(expired).toMatchObject({ status: 'expired', reason: 'expire_at' });
    expect(await balance(buyer.key)).toEqual(before);
  });

  it('publishes trades, candles and the ticker of the sessions above', async () => {
    const trades = (await api.http.get(`/v1/markets/${FIRM}/trades?limit=10`).expect(200)).body;
    expect(
      trades.map((t: { price: string; quantity: number; durationHours: number }) => [
        t.price,
        t.quantity,
        t.durationHours,
      ]),
    ).toEqual([
      ['1', 8, 2],
      ['1.5', 8, 4],
      ['2', 16, 10],
    ]);
    expect(trades[0]).toMatchObject({ symbol: FIRM, takerSide: 'buy', tradeId: expect.any(String) });
    const candles = (await api.http.get(`/v1/markets/${FIRM}/candles?interval=1d`).expect(200)).body;
    const volume = candles.reduce((sum: number, c: { volume: number }) => sum + c.volume, 0);
    expect(volume).toBe(16 * 10 + 8 * 4 + 8 * 2);
    const ticker = (await api.http.get(`/v1/markets/${FIRM}/ticker`).expect(200)).body;
    expect(ticker).toMatchObject({
      symbol: FIRM,
      last: '1',
      volume24h: 208,
      vwap24h: '1.846154',
      bestBid: null,
    });
    await advance(24 * 3600);
    const later = (await api.http.get(`/v1/markets/${FIRM}/ticker`).expect(200)).body;
    expect(later).toMatchObject({ last: '1', volume24h: 0, vwap24h: null });
    // Candles cover the last `limit` intervals up to now: a day later, the last 12 hours hold none of them.
    const recent = (await api.http.get(`/v1/markets/${FIRM}/candles?interval=1h&limit=12`).expect(200)).body;
    expect(recent).toEqual([]);
    const days = (await api.http.get(`/v1/markets/${FIRM}/candles?interval=1d&limit=3`).expect(200)).body;
    expect(days.reduce((sum: number, c: { volume: number }) => sum + c.volume, 0)).toBe(208);
    await api.http.get('/v1/markets/NOPE/ticker').expect(404);
    await api.http.get(`/v1/markets/${FIRM}/candles?interval=2m`).expect(400);
  });

  it('refuses a clock move without the admin key, or backwards', async () => {
    await api.http
      .post('/v1/admin/clock/advance')
      .set('Authorization', buyer.key)
      .send({ seconds: 60 })
      .expect(403);
    const back = await api.http
      .post('/v1/admin/clock/advance')
      .set('Authorization', api.admin())
      .send({ seconds: -60 })
      .expect(400);
    expect(back.body.error.code).toBe('INVALID_REQUEST');
  });
});
