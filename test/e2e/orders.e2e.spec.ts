import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'H100-SXM.us-east.firm';

describe('orders over REST', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let seller: Awaited<ReturnType<Api['seller']>>;
  let buyer: { id: string; key: string };

  const place = (key: string, order: object) =>
    api.http.post('/v1/orders').set('Authorization', key).send(order);
  const balance = async (key: string) =>
    (await api.http.get('/v1/account').set('Authorization', key).expect(200)).body.balance;
  const book = async (symbol = SYMBOL) => (await api.http.get(`/v1/markets/${symbol}/book`).expect(200)).body;
  const buy = (extra: object = {}) => ({
    symbol: SYMBOL,
    side: 'buy',
    type: 'limit',
    price: '2.00',
    quantity: 8,
    durationHours: 10,
    ...extra,
  });
  const sell = (extra: object = {}) => ({
    symbol: SYMBOL,
    side: 'sell',
    type: 'limit',
    price: '2.50',
    quantity: 8,
    clusterId: seller.cluster,
    ...extra,
  });

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database);
    api = new Api(exchange);
    seller = await api.seller('Neocloud', { gpu: 'H100-SXM', region: 'us-east', gpuCount: 64 });
    expect(seller.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    buyer = await api.account('AI lab', ['trade', 'read'], '10000');
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  afterEach(async () => {
    for (const key of [buyer.key, seller.key])
      await api.http.delete('/v1/orders').set('Authorization', key).expect(200);
    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body).toEqual({ balanced: true, problems: [] });
  });

  it('rests a buy, holds price x quantity x hours, and shows it', async () => {
    const before = await balance(buyer.key);
    const { body: order } = await place(buyer.key, buy({ price: '1.50', clientOrderId: 'rest-1' })).expect(
      201,
    );
    expect(order).toMatchObject({
      clientOrderId: 'rest-1',
      symbol: SYMBOL,
      side: 'buy',
      type: 'limit',
      price: '1.5',
      quantity: 8,
      filledQuantity: 0,
      remainingQuantity: 8,
      durationHours: 10,
      timeInForce: 'GTC',
      status: 'open',
    });
    expect(Number((await balance(buyer.key)).held) - Number(before.held)).toBeCloseTo(120);
    expect(
      (await api.http.get(`/v1/orders/${order.id}`).set('Authorization', buyer.key).expect(200)).body,
    ).toEqual(order);
    const open = await api.http.get('/v1/orders?status=open').set('Authorization', buyer.key).expect(200);
    expect(open.body.map((o: { id: string }) => o.id)).toContain(order.id);
    expect((await book()).bids).toContainEqual(['1.5', 8]);
    await api.http.delete(`/v1/orders/${order.id}`).set('Authorization', buyer.key).expect(200);
    expect(await balance(buyer.key)).toEqual(before);
  });

  it('matches at the resting price: escrow for the buyer, fills for both sides', async () => {
    const before = await balance(buyer.key);
    const { body: ask } = await place(seller.key, sell({ price: '2.40' })).expect(201);
    const { body: bid } = await place(buyer.key, buy({ price: '2.60', durationHours: 5 })).expect(201);
    expect(bid).toMatchObject({
      status: 'filled',
      filledQuantity: 8,
      averagePrice: '2.4',
      remainingQuantity: 0,
    });
    const after = await balance(buyer.key);
    expect(Number(after.escrow) - Number(before.escrow)).toBeCloseTo(2.4 * 8 * 5);
    expect(Number(before.available) - Number(after.available)).toBeCloseTo(2.4 * 8 * 5);
    const buyerFill = (await api.http.get('/v1/fills').set('Authorization', buyer.key).expect(200)).body[0];
    const sellerFill = (await api.http.get('/v1/fills').set('Authorization', seller.key).expect(200)).body[0];
    expect(buyerFill).toMatchObject({
      orderId: bid.id,
      side: 'buy',
      price: '2.4',
      quantity: 8,
      liquidity: 'taker',
    });
    expect(sellerFill).toMatchObject({
      orderId: ask.id,
      side: 'sell',
      liquidity: 'maker',
      tradeId: buyerFill.tradeId,
    });
  });

  it('returns the original order for a repeated clientOrderId, never a second one', async () => {
    const first = await place(buyer.key, buy({ price: '1.20', clientOrderId: 'once' })).expect(201);
    const again = await place(buyer.key, buy({ price: '1.30', clientOrderId: 'once' })).expect(200);
    expect(again.body).toEqual(first.body);
    const same = await Promise.all(
      [1, 2, 3].map(() => place(buyer.key, buy({ price: '1.10', clientOrderId: 'race' }))),
    );
    expect(new Set(same.map((r) => r.body.id)).size).toBe(1);
    expect(same.map((r) => r.status).sort()).toEqual([200, 200, 201]);
  });

  it('limits a market buy to what its funds cover', async () => {
    const poor = await api.account('small lab', ['trade', 'read'], '100');
    await place(seller.key, sell({ price: '2.00', quantity: 16 })).expect(201);
    const { body } = await place(poor.key, {
      symbol: SYMBOL,
      side: 'buy',
      type: 'market',
      quantity: 16,
      durationHours: 4,
    }).expect(201);
    // 100 USD covers 16 GPUs x 4 h only up to 1.56/GPU-h, below the 2.00 ask: nothing trades, nothing is kept.
    expect(body).toMatchObject({
      type: 'market',
      timeInForce: 'IOC',
      status: 'cancelled',
      filledQuantity: 0,
    });
    expect(await balance(poor.key)).toEqual({ available: '100', held: '0', escrow: '0' });
    const rich = await api.account('big lab', ['trade', 'read'], '200');
    const filled = await place(rich.key, {
      symbol: SYMBOL,
      side: 'buy',
      type: 'market',
      quantity: 8,
      durationHours: 4,
    });
    expect(filled.body).toMatchObject({ status: 'filled', averagePrice: '2' });
    expect(await balance(rich.key)).toEqual({ available: '136', held: '0', escrow: '64' });
  });

  it('trades at once on a market an admin has just added', async () => {
    const market = {
      symbol: 'H100-SXM.ap-east.firm',
      gpu: 'H100-SXM',
      region: 'ap-east',
      leaseClass: 'firm',
      tickSize: '0.05',
      lotSize: 8,
      minDurationHours: 1,
      maxDurationHours: 48,
      feeBps: 40,
    };
    await api.http.post('/v1/admin/markets').set('Authorization', api.admin()).send(market).expect(201);
    const { body } = await place(buyer.key, buy({ symbol: market.symbol, price: '1.05' })).expect(201);
    expect(body.status).toBe('open');
    expect((await book(market.symbol)).bids).toEqual([['1.05', 8]]);
    await place(buyer.key, buy({ symbol: market.symbol, price: '1.01' })).expect(400);
  });

  it('cancels: 409 ORDER_NOT_OPEN for a closed order, 404 for another account', async () => {
    const { body } = await place(buyer.key, buy({ price: '1.00' })).expect(201);
    await api.http.get(`/v1/orders/${body.id}`).set('Authorization', seller.key).expect(404);
    const foreign = await api.http
      .delete(`/v1/orders/${body.id}`)
      .set('Authorization', seller.key)
      .expect(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    const cancelled = await api.http
      .delete(`/v1/orders/${body.id}`)
      .set('Authorization', buyer.key)
      .expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      reason: 'cancelled_by_user',
      remainingQuantity: 0,
    });
    const again = await api.http.delete(`/v1/orders/${body.id}`).set('Authorization', buyer.key).expect(409);
    expect(again.body.error.code).toBe('ORDER_NOT_OPEN');
    for (const id of ['999999', 'abc', '-1']) {
      await api.http.get(`/v1/orders/${id}`).set('Authorization', buyer.key).expect(404);
    }
  });

  describe('amend and cancel-all', () => {
    const amend = (key: string, id: string, change: object) =>
      api.http.patch(`/v1/orders/${id}`).set('Authorization', key).send(change);

    it('reducing keeps time priority; the hold shrinks with it', async () => {
      const other = await api.account('second lab', ['trade', 'read'], '10000');
      const first = (await place(buyer.key, buy({ price: '1.70', quantity: 16 })).expect(201)).body;
      await place(other.key, buy({ price: '1.70' })).expect(201);
      const held = Number((await balance(buyer.key)).held);
      const { body } = await amend(buyer.key, first.id, { quantity: 8 }).expect(200);
      expect(body).toMatchObject({ quantity: 8, remainingQuantity: 8, price: '1.7' });
      expect(held - Number((await balance(buyer.key)).held)).toBeCloseTo(1.7 * 8 * 10);
      await place(seller.key, sell({ price: '1.70' })).expect(201);
      const filled = (await api.http.get(`/v1/orders/${first.id}`).set('Authorization', buyer.key)).body;
      expect(filled.status).toBe('filled');
      await api.http.delete(`/v1/orders?symbol=${SYMBOL}`).set('Authorization', other.key).expect(200);
    });

    it('increasing loses time priority', async () => {
      const other = await api.account('third lab', ['trade', 'read'], '10000');
      const first = (await place(buyer.key, buy({ price: '1.60' })).expect(201)).body;
      const second = (await place(other.key, buy({ price: '1.60' })).expect(201)).body;
      await amend(buyer.key, first.id, { quantity: 16 }).expect(200);
      await place(seller.key, sell({ price: '1.60' })).expect(201);
      expect(
        (await api.http.get(`/v1/orders/${second.id}`).set('Authorization', other.key)).body.status,
      ).toBe('filled');
      expect(
        (await api.http.get(`/v1/orders/${first.id}`).set('Authorization', buyer.key)).body.filledQuantity,
      ).toBe(0);
    });

    it('a new price that crosses trades at once, at the resting price', async () => {
      await place(seller.key, sell({ price: '2.30' })).expect(201);
      const bid = (await place(buyer.key, buy({ price: '1.50' })).expect(201)).body;
      const { body } = await amend(buyer.key, bid.id, { price: '2.35' }).expect(200);
      expect(body).toMatchObject({ status: 'filled', averagePrice: '2.3', price: '2.35' });
    });

    it('a failed amend changes nothing', async () => {
      const bid = (await place(buyer.key, buy({ price: '1.40' })).expect(201)).body;
      const before = { balance: await balance(buyer.key), book: await book() };
      for (const [change, status, code] of [
        [{ price: '1.405' }, 400, 'INVALID_PRICE'],
        [{ quantity: 12 }, 400, 'INVALID_QUANTITY'],
        [{ quantity: 0 }, 400, 'INVALID_QUANTITY'],
        [{}, 400, 'INVALID_REQUEST'],
        [{ price: '400.00', quantity: 64 }, 400, 'INSUFFICIENT_FUNDS'],
      ] as const) {
        expect((await amend(buyer.key, bid.id, change).expect(status)).body.error.code).toBe(code);
      }
      expect((await amend(seller.key, bid.id, { quantity: 8 }).expect(404)).body.error.code).toBe(
        'NOT_FOUND',
      );
      expect({ balance: await balance(buyer.key), book: await book() }).toEqual(before);
      await api.http.delete(`/v1/orders/${bid.id}`).set('Authorization', buyer.key).expect(200);
      expect((await amend(buyer.key, bid.id, { quantity: 8 }).expect(409)).body.error.code).toBe(
        'ORDER_NOT_OPEN',
      );
    });

    it('cancel-all cancels the account orders in one market and releases their holds', async () => {
      const before = await balance(buyer.key);
      const a = (await place(buyer.key, buy({ price: '1.10' })).expect(201)).body;
      const b = (await place(buyer.key, buy({ price: '1.20', quantity: 16 })).expect(201)).body;
      const elsewhere = (
        await place(buyer.key, buy({ symbol: 'B200.us-east.firm', price: '1.00' })).expect(201)
      ).body;
      const { body } = await api.http
        .delete(`/v1/orders?symbol=${SYMBOL}`)
        .set('Authorization', buyer.key)
        .expect(200);
      expect(body.map((o: { id: string; status: string }) => [o.id, o.status])).toEqual([
        [a.id, 'cancelled'],
        [b.id, 'cancelled'],
      ]);
      const remaining = await api.http
        .get('/v1/orders?status=open')
        .set('Authorization', buyer.key)
        .expect(200);
      expect(remaining.body.map((o: { id: string }) => o.id)).toEqual([elsewhere.id]);
      await api.http.delete('/v1/orders').set('Authorization', buyer.key).expect(200);
      expect(await balance(buyer.key)).toEqual(before);
      const unknown = await api.http
        .delete('/v1/orders?symbol=NOPE')
        .set('Authorization', buyer.key)
        .expect(404);
      expect(unknown.body.error.code).toBe('UNKNOWN_SYMBOL');
    });
  });

  describe('refuses bad orders with their code, and changes nothing', () => {
    const cases: [string, () => [string, object], number, string][] = [
      ['an unknown symbol', () => [buyer.key, buy({ symbol: 'TPU.nowhere.firm' })], 404, 'UNKNOWN_SYMBOL'],
      ['a price off tick', () => [buyer.key, buy({ price: '2.005' })], 400, 'INVALID_PRICE'],
      ['a price as a number', () => [buyer.key, buy({ price: 2 })], 400, 'INVALID_REQUEST'],
      ['a price in exponent form', () => [buyer.key, buy({ price: '2e0' })], 400, 'INVALID_PRICE'],
      ['a negative price', () => [buyer.key, buy({ price: '-2.00' })], 400, 'INVALID_PRICE'],
      ['a limit order without a price', () => [buyer.key, buy({ price: undefined })], 400, 'INVALID_PRICE'],
      ['a quantity off lot', () => [buyer.key, buy({ quantity: 12 })], 400, 'INVALID_QUANTITY'],
      ['a fractional quantity', () => [buyer.key, buy({ quantity: 8.5 })], 400, 'INVALID_REQUEST'],
      ['a quantity as a string', () => [buyer.key, buy({ quantity: '8' })], 400, 'INVALID_REQUEST'],
      ['a duration too long', () => [buyer.key, buy({ durationHours: 721 })], 400, 'INVALID_DURATION'],
      [
        'a buy without a duration',
        () => [buyer.key, buy({ durationHours: undefined })],
        400,
        'INVALID_DURATION',
      ],
      ['an unknown side', () => [buyer.key, buy({ side: 'hold' })], 400, 'INVALID_REQUEST'],
      ['an unknown field', () => [buyer.key, buy({ leverage: 10 })], 400, 'INVALID_REQUEST'],
      [
        'GTD in the past',
        () => [buyer.key, buy({ timeInForce: 'GTD', expireAt: '2001-01-01T00:00:00Z' })],
        400,
        'INVALID_EXPIRY',
      ],
      [
        'more than the funds',
        () => [buyer.key, buy({ price: '500.00', quantity: 64, durationHours: 720 })],
        400,
        'INSUFFICIENT_FUNDS',
      ],
      ['a buy with a read-only key', () => [seller.key, buy()], 403, 'FORBIDDEN'],
      ['a sell with a trade-only key', () => [buyer.key, sell()], 403, 'FORBIDDEN'],
      [
        'a sell without a cluster',
        () => [seller.key, sell({ clusterId: undefined })],
        400,
        'UNKNOWN_CLUSTER',
      ],
      [
        'a sell on an unknown cluster',
        () => [seller.key, sell({ clusterId: 'b3c0b1e2-0000-4000-8000-000000000000' })],
        400,
        'UNKNOWN_CLUSTER',
      ],
      [
        'a sell on a cluster of another model',
        () => [seller.key, sell({ symbol: 'B200.us-east.firm' })],
        400,
        'UNKNOWN_CLUSTER',
      ],
      ['a sell beyond the cluster', () => [seller.key, sell({ quantity: 72 })], 400, 'INSUFFICIENT_CAPACITY'],
    ];
    it.each(cases)('%s', async (_name, order, status, code) => {
      const [key, body] = order();
      const before = { buyer: await balance(buyer.key), book: await book() };
      const res = await place(key, body).expect(status);
      expect(res.body.error.code).toBe(code);
      expect({ buyer: await balance(buyer.key), book: await book() }).toEqual(before);
    });

    it("a sell on another seller's cluster, which is not even listed to it", async () => {
      const rival = await api.account('rival', ['sell', 'read']);
      const res = await place(rival.key, sell()).expect(400);
      expect(res.body.error.code).toBe('UNKNOWN_CLUSTER');
      const listed = await api.http.get('/v1/clusters').set('Authorization', rival.key).expect(200);
      expect(listed.body).toEqual([]);
      const mine = await api.http.get('/v1/clusters').set('Authorization', seller.key).expect(200);
      expect(mine.body.map((c: { id: string }) => c.id)).toEqual([seller.cluster]);
      expect(JSON.stringify(mine.body)).not.toContain('whsec_');
    });

    it('a post-only order that would take', async () => {
      await place(seller.key, sell({ price: '3.00' })).expect(201);
      const before = await book();
      const res = await place(buyer.key, buy({ price: '3.00', postOnly: true })).expect(400);
      expect(res.body.error.code).toBe('POST_ONLY_WOULD_TAKE');
      expect(await book()).toEqual(before);
    });

    it('malformed JSON', async () => {
      const res = await api.http
        .post('/v1/orders')
        .set('Authorization', buyer.key)
        .set('Content-Type', 'application/json')
        .send('{"symbol": "H100')
        .expect(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
    });
  });
});
