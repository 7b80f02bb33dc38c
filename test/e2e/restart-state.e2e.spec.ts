import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'H200-SXM.us-east.firm';

/**
 * A restart rebuilds exactly what was committed: every open order with every field (text with tabs, backslashes,
 * newlines and emoji, partial fills, expiries, minimum fills, amended time priority), the books, the balances
 * and the leases, and it trades on in the same time priority.
 */
describe('the trading state after a restart', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, { PROVISIONER: 'instant' });
    api = new Api(exchange);
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  it('loads every field of every open order, the books, balances and leases as they were, and trades on in the same order', async () => {
    const buyer = await api.account('lab', ['trade', 'read'], '100000');
    const other = await api.account('other lab', ['trade', 'read'], '100000');
    const seller = await api.seller('cloud', { gpu: 'H200-SXM', region: 'us-east', gpuCount: 4096 });
    const place = (key: string, body: object) =>
      api.http
        .post('/v1/orders')
        .set('Authorization', key)
        .send({ symbol: SYMBOL, type: 'limit', ...body });
    const inOneDay = new Date(Date.now() + 86_400_000).toISOString();
    await place(buyer.key, {
      side: 'buy',
      price: '2.00',
      quantity: 16,
      durationHours: 3,
      clientOrderId: 'tab\there back\\slash new\nline é 😀',
    }).expect(201);
    const gtd = await place(buyer.key, {
      side: 'buy',
      price: '2.00',
      quantity: 24,
      durationHours: 2,
      minQuantity: 8,
      timeInForce: 'GTD',
      expireAt: inOneDay,
      selfTradePrevention: 'decrement',
    }).expect(201);
    await place(other.key, {
      side: 'buy',
      price: '2.00',
      quantity: 8,
      durationHours: 1,
      postOnly: true,
    }).expect(201);
    // The GTD buy loses its place at 2.00 (a larger quantity), and goes behind the other two.
    await api.http
      .patch(`/v1/orders/${gtd.body.id}`)
      .set('Authorization', buyer.key)
      .send({ quantity: 32 })
      .expect(200);
    await place(seller.key, {
      side: 'sell',
      price: '3.50',
      quantity: 64,
      clusterId: seller.cluster,
      availableUntil: inOneDay,
      selfTradePrevention: 'cancel_both',
    }).expect(201);
    // A partial fill of the sell: a lease, escrow, and a non-zero filled notional on the open sell.
    await place(other.key, { side: 'buy', price: '3.50', quantity: 8, durationHours: 4 }).expect(201);
    await api.http
      .put('/v1/account/ssh-key')
      .set('Authorization', buyer.key)
      .send({ sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 alice@lab' })
      .expect(200);

    const snapshot = async () => ({
      orders: await Promise.all(
        [buyer, other, seller].map(
          async (a) =>
            (await api.http.get('/v1/orders?status=open').set('Authorization', a.key).expect(200)).body,
        ),
      ),
      book: (await api.http.get(`/v1/markets/${SYMBOL}/book`).expect(200)).body,
      ticker: (({ time: _time, ...rest }) => rest)(
        (await api.http.get(`/v1/markets/${SYMBOL}/ticker`).expect(200)).body,
      ),
      accounts: await Promise.all(
        [buyer, other, seller].map(
          async (a) => (await api.http.get('/v1/account').set('Authorization', a.key)).body,
        ),
      ),
      leases: (await api.http.get('/v1/leases').set('Authorization', other.key).expect(200)).body,
    });
    const before = await snapshot();
    expect(before.orders[1].find((o: { side: string }) => o.side === 'sell')).toBeUndefined();
    expect(before.orders[2][0]).toMatchObject({
      filledQuantity: 8,
      averagePrice: '3.5',
      remainingQuantity: 56,
    });

    await exchange.stop();
    exchange = await ExchangeProcess.start(database, { PROVISIONER: 'instant' });
    api = new Api(exchange);
    expect(await snapshot()).toEqual(before);

    // Time priority survived: a sell for 40 GPUs at 2.00 fills the first buy (16), the post-only buy (8), then
    // the amended GTD buy (16 of its 32).
    await place(seller.key, { side: 'sell', price: '2.00', quantity: 40, clusterId: seller.cluster }).expect(
      201,
    );
    const fills = (await api.http.get('/v1/fills').set('Authorization', seller.key).expect(200)).body;
    const takenFrom = fills
      .filter((f: { price: string }) => f.price === '2')
      .reverse()
      .map((f: { quantity: number }) => f.quantity);
    expect(takenFrom).toEqual([16, 8, 16]);
    const after = (
      await api.http.get(`/v1/orders/${gtd.body.id}`).set('Authorization', buyer.key).expect(200)
    ).body;
    expect(after).toMatchObject({ filledQuantity: 16, remainingQuantity: 16, status: 'open' });
    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body).toMatchObject({ balanced: true });
  });
});
