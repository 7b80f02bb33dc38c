import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { TcpProxy } from '../support/tcp-proxy';

const SYMBOL = 'MI300X.us-east.firm';
// Needs a PostgreSQL to put a proxy in front of: runs in `npm run test:pg`, not against the embedded database.
const describeWithPostgres = process.env.E2E_DATABASE === 'postgres' ? describe : describe.skip;

describeWithPostgres('PostgreSQL unreachable', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let exchange: ExchangeProcess;
  let api: Api;

  beforeAll(async () => {
    database = await freshDatabase();
    const url = new URL(database.env.DATABASE_URL);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.port = String(proxy.port);
    exchange = await ExchangeProcess.start({ ...database, env: { DATABASE_URL: url.toString() } });
    api = new Api(exchange);
  });

  afterAll(async () => {
    await exchange?.stop();
    await proxy?.cut();
    await database?.drop();
  });

  it('answers 503 UNAVAILABLE, changes nothing, and recovers by itself', async () => {
    const buyer = await api.account('lab', ['trade', 'read'], '1000');
    const order = {
      symbol: SYMBOL,
      side: 'buy',
      type: 'limit',
      price: '1.00',
      quantity: 8,
      durationHours: 2,
    };
    await api.http.post('/v1/orders').set('Authorization', buyer.key).send(order).expect(201);
    const before = (await api.http.get(`/v1/markets/${SYMBOL}/book`).expect(200)).body;

    await proxy.cut();
    const refused = await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ ...order, price: '1.10' })
      .expect(503);
    expect(refused.body.error.code).toBe('UNAVAILABLE');
    await api.http.get('/ready').expect(503);
    await api.http.get('/health').expect(200);

    await proxy.restore();
    let book = before;
    for (let i = 0; i < 50; i++) {
      const res = await api.http.get(`/v1/markets/${SYMBOL}/book`);
      if (res.status === 200) {
        book = res.body;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(book).toEqual(before);
    await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ ...order, price: '1.20' })
      .expect(201);
    const after = (await api.http.get(`/v1/markets/${SYMBOL}/book`).expect(200)).body;
    expect(after.bids).toEqual([
      ['1.2', 8],
      ['1', 8],
    ]);
    const account = await api.http.get('/v1/account').set('Authorization', buyer.key).expect(200);
    expect(account.body.balance).toEqual({ available: '964.8', held: '35.2', escrow: '0' });
    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body.balanced).toBe(true);
  });
});
