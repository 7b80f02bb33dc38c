import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'B200.eu-west.firm';

/** Without KAFKA_BROKERS: events still go through the outbox, to the in-process bus, and are readable here. */
describe('settlement events without Kafka', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database);
    api = new Api(exchange);
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  const events = (query: string) =>
    api.http.get(`/v1/admin/events${query}`).set('Authorization', api.admin());

  it('lists what the exchange did, in order, pages by seq, and reports everything published', async () => {
    const buyer = await api.account('lab', ['trade', 'read'], '5000');
    const seller = await api.seller('cloud', { gpu: 'B200', region: 'eu-west', gpuCount: 64 });
    await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({
        symbol: SYMBOL,
        side: 'sell',
        type: 'limit',
        price: '4.00',
        quantity: 8,
        clusterId: seller.cluster,
      })
      .expect(201);
    await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol: SYMBOL, side: 'buy', type: 'limit', price: '4.00', quantity: 8, durationHours: 2 })
      .expect(201);

    // In the order they happened: the buy's hold, then its trade, the lease it opens and the escrow it moves.
    const all = (await events('').expect(200)).body;
    expect(all.map((e: { event: { type: string } }) => e.event.type)).toEqual([
      'funds.deposited',
      'funds.held',
      'trade.executed',
      'lease.provisioning',
      'funds.escrowed',
    ]);
    expect(all.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const buyOrderId = all[2].event.data.buyOrderId;
    const leaseId = all[2].event.data.leaseId;
    expect(all[2]).toMatchObject({
      topic: 'exchange.trades',
      key: SYMBOL,
      event: {
        version: 1,
        data: { price: '4', quantity: 8, durationHours: 2, buyerId: buyer.id, sellerId: seller.id },
      },
    });
    expect(all[1]).toMatchObject({
      key: buyer.id,
      event: { data: { accountId: buyer.id, amount: '64', orderId: buyOrderId } },
    });
    expect(all[3]).toMatchObject({ key: leaseId, event: { data: { leaseId } } });
    // PROTOCOL.md: funds and settlement events carry the lease or order they belong to.
    expect(all[4]).toMatchObject({
      key: buyer.id,
      event: {
        data: { accountId: buyer.id, orderId: buyOrderId, leaseId, tradeId: all[2].event.data.tradeId },
      },
    });

    const page = (await events('?afterSeq=3&limit=1').expect(200)).body;
    expect(page.map((e: { seq: number }) => e.seq)).toEqual([4]);
    const trades = (await events('?type=trade.executed').expect(200)).body;
    expect(trades).toHaveLength(1);

    let lag = (await api.http.get('/v1/admin/events/lag').set('Authorization', api.admin()).expect(200)).body;
    for (let i = 0; i < 50 && lag.pending > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lag = (await api.http.get('/v1/admin/events/lag').set('Authorization', api.admin()).expect(200)).body;
    }
    expect(lag).toMatchObject({ pending: 0, publishedSinceStart: 5 });
    expect((await events('').expect(200)).body.every((e: { published: boolean }) => e.published)).toBe(true);
  });

  it('refuses bad paging with INVALID_REQUEST, and anyone but an admin', async () => {
    expect((await events('?afterSeq=-1').expect(400)).body.error.code).toBe('INVALID_REQUEST');
    expect((await events('?limit=5000').expect(400)).body.error.code).toBe('INVALID_REQUEST');
    const trader = await api.account('someone', ['trade', 'read']);
    await api.http.get('/v1/admin/events').set('Authorization', trader.key).expect(403);
  });
});
