import fc from 'fast-check';
import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { LocalBook } from '../support/local-book';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'H200-SXM.eu-west.firm';

describe('WebSocket /v1/ws', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string };

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database);
    api = new Api(exchange);
    buyer = await api.account('lab', ['trade', 'read'], '1000000');
    seller = await api.seller('cloud', { gpu: 'H200-SXM', region: 'eu-west', gpuCount: 100000 });
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  const authed = async (key: string) => {
    const client = await WsClient.connect(exchange.url);
    const reply = await client.request({ op: 'auth', apiKey: key.replace('Bearer ', '') });
    expect(reply.type).toBe('authenticated');
    return client;
  };

  it('places, amends and cancels orders with acks that echo the requestId', async () => {
    const client = await authed(buyer.key);
    const order = {
      symbol: SYMBOL,
      side: 'buy',
      type: 'limit',
      price: '1.00',
      quantity: 8,
      durationHours: 2,
    };
    const placed = await client.request({ op: 'place', order: { ...order, clientOrderId: 'ws-1' } });
    expect(placed).toMatchObject({
      type: 'ack',
      order: { status: 'open', clientOrderId: 'ws-1', price: '1' },
    });
    const id = (placed.order as { id: string }).id;
    const amended = await client.request({ op: 'amend', orderId: id, price: '1.10' });
    expect(amended).toMatchObject({ type: 'ack', order: { id, price: '1.1' } });
    const rest = await api.http.get(`/v1/orders/${id}`).set('Authorization', buyer.key).expect(200);
    expect(rest.body.price).toBe('1.1');
    const cancelled = await client.request({ op: 'cancel', clientOrderId: 'ws-1' });
    expect(cancelled).toMatchObject({ type: 'ack', order: { id, status: 'cancelled' } });
    const again = await client.request({ op: 'cancel', orderId: id });
    expect(again).toMatchObject({ type: 'error', code: 'ORDER_NOT_OPEN' });
    await client.request({ op: 'place', order });
    const all = await client.request({ op: 'cancelAll', symbol: SYMBOL });
    expect((all.orders as unknown[]).length).toBe(1);
    client.close();
  });

  it('answers every malformed frame with an error and keeps the connection open', async () => {
    const client = await WsClient.connect(exchange.url);
    const errors: Record<string, unknown>[] = [];
    const frames: (string | object)[] = [
      'not json',
      '[1,2]',
      '42',
      { op: 'launch' },
      { noop: true },
      { op: 'subscribe', channel: 'gossip', symbol: SYMBOL },
      { op: 'subscribe', channel: 'book' },
      { op: 'subscribe', channel: 'book', symbol: 'TPU.x.firm' },
      { op: 'subscribe', channel: 'orders' },
      { op: 'place', order: { symbol: SYMBOL } },
      { op: 'auth', apiKey: 'gpx_wrong' },
      { op: 'auth' },
      { op: 'cancel' }, // order operations need auth first, as over HTTP
    ];
    for (const frame of frames) {
      const error = client.next((m) => m.type === 'error');
      client.sendRaw(typeof frame === 'string' ? frame : JSON.stringify(frame));
      errors.push(await error);
    }
    expect(errors.map((e) => e.code)).toEqual([
      'INVALID_REQUEST',
      'INVALID_REQUEST',
      'INVALID_REQUEST',
      'INVALID_REQUEST',
      'INVALID_REQUEST',
      'INVALID_REQUEST',
      'INVALID_REQUEST',
      'UNKNOWN_SYMBOL',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
      'INVALID_REQUEST',
      'UNAUTHORIZED',
    ]);
    expect(await client.request({ op: 'ping' })).toMatchObject({ type: 'pong' });
    const authed = await client.request({ op: 'auth', apiKey: buyer.key.replace('Bearer ', '') });
    expect(authed.type).toBe('authenticated');
    const bad = await client.request({
      op: 'place',
      order: { symbol: SYMBOL, side: 'buy', type: 'limit', price: 1 },
    });
    expect(bad).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    expect(client.closed).toBeNull();
    client.close();
  });

  it('cancelOnDisconnect cancels the open orders placed over that connection when it drops', async () => {
    const keep = await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol: SYMBOL, side: 'buy', type: 'limit', price: '0.50', quantity: 8, durationHours: 1 })
      .expect(201);
    const client = await WsClient.connect(exchange.url);
    const auth = await client.request({
      op: 'auth',
      apiKey: buyer.key.replace('Bearer ', ''),
      cancelOnDisconnect: true,
    });
    expect(auth).toMatchObject({ type: 'authenticated', cancelOnDisconnect: true });
    const placed = await client.request({
      op: 'place',
      order: { symbol: SYMBOL, side: 'buy', type: 'limit', price: '0.60', quantity: 8, durationHours: 1 },
    });
    const id = (placed.order as { id: string }).id;
    client.close();
    let status = 'open';
    for (let i = 0; i < 50 && status === 'open'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await api.http.get(`/v1/orders/${id}`).set('Authorization', buyer.key)).body.status;
    }
    expect(status).toBe('cancelled');
    const kept = await api.http.get(`/v1/orders/${keep.body.id}`).set('Authorization', buyer.key).expect(200);
    expect(kept.body.status).toBe('open');
    await api.http.delete(`/v1/orders/${keep.body.id}`).set('Authorization', buyer.key).expect(200);
  });

  it('the ticker channel follows trades and agrees with the REST ticker', async () => {
    const watcher = await WsClient.connect(exchange.url);
    await watcher.request({ op: 'subscribe', channel: 'ticker', symbol: SYMBOL });
    await watcher.seen((m) => m.channel === 'ticker');
    await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({
        symbol: SYMBOL,
        side: 'sell',
        type: 'limit',
        price: '4.40',
        quantity: 8,
        clusterId: seller.cluster,
      })
      .expect(201);
    await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol: SYMBOL, side: 'buy', type: 'market', quantity: 8, durationHours: 3 })
      .expect(201);
    const live = await watcher.seen((m) => m.channel === 'ticker' && m.last === '4.4');
    const rest = (await api.http.get(`/v1/markets/${SYMBOL}/ticker`).expect(200)).body;
    expect(live).toMatchObject({
      symbol: SYMBOL,
      last: rest.last,
      volume24h: rest.volume24h,
      vwap24h: rest.vwap24h,
    });
    watcher.close();
  });

  it('refuses a frame above the size limit by closing the connection, and stays up for others', async () => {
    const client = await WsClient.connect(exchange.url);
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
    client.sendRaw(JSON.stringify({ op: 'ping', pad: 'x'.repeat(100_000) }));
    expect(await closed).toBe(1009);
    const other = await WsClient.connect(exchange.url);
    expect(await other.request({ op: 'ping' })).toMatchObject({ type: 'pong' });
    other.close();
  });

  it('private channels carry only the account’s own orders and fills', async () => {
    const b = await authed(buyer.key);
    const s = await authed(seller.key);
    for (const c of [b, s]) {
      await c.request({ op: 'subscribe', channel: 'orders' });
      await c.request({ op: 'subscribe', channel: 'fills' });
      await c.request({ op: 'subscribe', channel: 'leases' });
    }
    await s.request({
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
    await b.request({
      op: 'place',
      order: { symbol: SYMBOL, side: 'buy', type: 'limit', price: '3.00', quantity: 8, durationHours: 1 },
    });
    await b.seen((m) => m.channel === 'leases');
    await s.seen((m) => m.channel === 'leases');
    const own = (c: WsClient, accountOrders: Set<string>) =>
      c.on('orders').every((m) => accountOrders.has((m.order as { id: string }).id));
    const buyerOrders = new Set(
      (await api.http.get('/v1/orders').set('Authorization', buyer.key)).body.map(
        (o: { id: string }) => o.id,
      ),
    );
    const sellerOrders = new Set(
      (await api.http.get('/v1/orders').set('Authorization', seller.key)).body.map(
        (o: { id: string }) => o.id,
      ),
    );
    expect(own(b, buyerOrders as Set<string>)).toBe(true);
    expect(own(s, sellerOrders as Set<string>)).toBe(true);
    expect(b.on('fills').map((m) => (m.fill as { side: string }).side)).toEqual(['buy']);
    expect(s.on('fills').map((m) => (m.fill as { side: string }).side)).toEqual(['sell']);
    for (const c of [b, s]) {
      for (const m of c.on('leases')) {
        const lease = m.lease as { buyerId: string; sellerId: string };
        expect([lease.buyerId, lease.sellerId]).toEqual([buyer.id, seller.id]);
      }
    }
    b.close();
    s.close();
  });

  it('signing in again as another account drops the private channels of the first one', async () => {
    const client = await authed(buyer.key);
    await client.request({ op: 'subscribe', channel: 'orders' });
    const again = await client.request({ op: 'auth', apiKey: seller.key.replace('Bearer ', '') });
    expect(again).toMatchObject({ type: 'authenticated', accountId: seller.id });
    const other = await authed(buyer.key);
    const placed = await other.request({
      op: 'place',
      order: { symbol: SYMBOL, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 },
    });
    expect(placed.type).toBe('ack');
    // A ping answered after the order's commit: any orders message for the buyer would have come before it.
    await client.request({ op: 'ping' });
    expect(client.on('orders')).toEqual([]);
    await other.request({ op: 'cancelAll' });
    client.close();
    other.close();
  });

  it('disconnects a client that stops reading once its send buffer passes the limit, with a reason', async () => {
    const seller2 = await authed(seller.key);
    const levels = 200;
    const acks = Array.from({ length: levels }, (_, i) =>
      seller2.request({
        op: 'place',
        order: {
          symbol: SYMBOL,
          side: 'sell',
          type: 'limit',
          price: (50 + i / 100).toFixed(2),
          quantity: 8,
          clusterId: seller.cluster,
        },
      }),
    );
    expect((await Promise.all(acks)).every((m) => m.type === 'ack')).toBe(true);
    const slow = await WsClient.connect(exchange.url);
    const closed = new Promise<number>((resolve) => slow.socket.once('close', (code) => resolve(code)));
    // Stop reading: every snapshot the server sends (a few kB each) now piles up in its send buffer.
    const raw = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    for (let i = 0; i < 4000; i++)
      slow.sendRaw(JSON.stringify({ op: 'subscribe', channel: 'book', symbol: SYMBOL }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    raw.resume();
    expect(await closed).toBe(4008);
    const healthy = await WsClient.connect(exchange.url);
    expect(await healthy.request({ op: 'ping' })).toMatchObject({ type: 'pong' });
    healthy.close();
    await seller2.request({ op: 'cancelAll' });
    seller2.close();
  });

  it('a subscriber rebuilding the book from snapshot and updates always equals the REST book', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            buy: fc.boolean(),
            cents: fc.integer({ min: 180, max: 220 }),
            lots: fc.integer({ min: 1, max: 3 }),
            cancel: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
            viaWs: fc.boolean(),
          }),
          { minLength: 5, maxLength: 40 },
        ),
        async (steps) => {
          const watcher = await WsClient.connect(exchange.url);
          const local = new LocalBook();
          watcher.socket.on('message', (data) => {
            const m = JSON.parse(data.toString());
            if (m.channel === 'book' && (m.type === 'snapshot' || m.type === 'update')) local.apply(m);
          });
          await watcher.request({ op: 'subscribe', channel: 'book', symbol: SYMBOL });
          const traders = { buy: await authed(buyer.key), sell: await authed(seller.key) };
          const placed: { id: string; key: string }[] = [];
          for (const step of steps) {
            const key = step.buy ? buyer.key : seller.key;
            if (step.cancel && placed.length > 0) {
              const target = placed.shift() as { id: string; key: string };
              await api.http.delete(`/v1/orders/${target.id}`).set('Authorization', target.key);
              continue;
            }
            const order = {
              symbol: SYMBOL,
              side: step.buy ? 'buy' : 'sell',
              type: 'limit',
              price: (step.cents / 100).toFixed(2),
              quantity: 8 * step.lots,
              ...(step.buy ? { durationHours: 1 } : { clusterId: seller.cluster }),
            };
            const body = step.viaWs
              ? ((await traders[step.buy ? 'buy' : 'sell'].request({ op: 'place', order })).order as {
                  id: string;
                })
              : (await api.http.post('/v1/orders').set('Authorization', key).send(order).expect(201)).body;
            placed.push({ id: body.id, key });
          }
          const rest = (await api.http.get(`/v1/markets/${SYMBOL}/book?depth=1000`).expect(200)).body;
          await watcher.next((m) => m.channel === 'heartbeat' && (m.sequence as number) >= rest.sequence);
          expect({ sequence: local.sequence, bids: local.side('buy'), asks: local.side('sell') }).toEqual({
            sequence: rest.sequence,
            bids: rest.bids,
            asks: rest.asks,
          });
          expect(local.gaps).toBe(0);
          expect(local.checksumMismatches).toBe(0);
          for (const c of [watcher, traders.buy, traders.sell]) c.close();
          await api.http.delete('/v1/orders').set('Authorization', buyer.key).expect(200);
          await api.http.delete('/v1/orders').set('Authorization', seller.key).expect(200);
        },
      ),
      { numRuns: 8 },
    );
  });
});
