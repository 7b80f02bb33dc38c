import { ExchangeError, ExchangeSocket, LocalBook, unwrap } from '@gpu-hour-exchange/client';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'H200-SXM.eu-west.firm';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** `ws`, except that it loses the book updates whose sequence is listed (a fault on the wire, as the client sees it). */
const losing = (sequences: Set<number>) =>
  class extends WebSocket {
    constructor(url: string) {
      super(url);
      const deliver = this.emit.bind(this);
      this.emit = (event: string, ...args: unknown[]) => {
        if (event === 'message') {
          const frame = JSON.parse(String(args[0])) as { type?: string; sequence?: number };
          if (frame.type === 'update' && sequences.delete(frame.sequence as number)) return false;
        }
        return deliver(event, ...args);
      };
    }
  } as unknown as typeof globalThis.WebSocket;

describe('the client SDK against the real exchange process', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let port: number;
  let api: Api;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string };
  const sockets: ExchangeSocket[] = [];

  const start = async () => {
    exchange = await ExchangeProcess.start(database, { PORT: String(port), TEST_CLOCK: 'true' });
    api = new Api(exchange);
  };

  const socket = (options: Partial<ConstructorParameters<typeof ExchangeSocket>[0]> = {}) => {
    const client = new ExchangeSocket({ url: exchange.url, minReconnectDelayMs: 50, ...options });
    sockets.push(client);
    return client;
  };

  const sell = (price: string, quantity = 8) =>
    unwrap(
      api.rest(seller.key).POST('/v1/orders', {
        body: { symbol: SYMBOL, side: 'sell', type: 'limit', price, quantity, clusterId: seller.cluster },
      }),
    );

  /** The REST book, as levels the local book can be compared with. */
  const restBook = async () => {
    const book = await unwrap(
      api
        .rest()
        .GET('/v1/markets/{symbol}/book', { params: { path: { symbol: SYMBOL }, query: { depth: 1000 } } }),
    );
    return { sequence: book.sequence, bids: book.bids, asks: book.asks };
  };
  const asSeen = (book: LocalBook) => ({
    sequence: book.sequence,
    bids: book.levels('buy'),
    asks: book.levels('sell'),
  });

  beforeAll(async () => {
    database = await freshDatabase();
    port = await freePort();
    await start();
    buyer = await api.account('lab', ['trade', 'read'], '1000000');
    seller = await api.seller('cloud', { gpu: 'H200-SXM', region: 'eu-west', gpuCount: 100000 });
  });

  afterEach(() => {
    for (const client of sockets.splice(0)) client.close();
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  it('ships the OpenAPI document the exchange serves', async () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../../packages/client/openapi.json'), 'utf8'));
    const served = await (await fetch(`${exchange.url}/docs/openapi.json`)).json();
    expect(committed).toEqual(served);
  });

  it('types REST answers and turns refusals into ExchangeErrors with the code and status', async () => {
    const markets = await unwrap(api.rest().GET('/v1/markets', {}));
    expect(markets.map((m) => m.symbol)).toContain(SYMBOL);
    const refused = await unwrap(
      api.rest().GET('/v1/markets/{symbol}', { params: { path: { symbol: 'NOPE.nowhere.firm' } } }),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ExchangeError);
    expect(refused).toMatchObject({ code: 'UNKNOWN_SYMBOL', status: 404 });
  });

  it('resolves pipelined places by requestId, each with its own answer or refusal', async () => {
    const client = socket({ apiKey: buyer.key.replace('Bearer ', '') });
    await client.connect();
    const prices = Array.from({ length: 30 }, (_, i) => (1 + i / 100).toFixed(2));
    const placed = prices.map((price, i) =>
      client.place({
        symbol: SYMBOL,
        side: 'buy',
        type: 'limit',
        price: i === 7 ? '1.001' : price,
        quantity: 8,
        durationHours: 1,
        clientOrderId: `pipelined-${i}`,
      }),
    );
    const settled = await Promise.allSettled(placed);
    settled.forEach((outcome, i) => {
      if (i === 7) {
        expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'INVALID_PRICE' } });
        return;
      }
      expect(outcome).toMatchObject({
        status: 'fulfilled',
        value: { clientOrderId: `pipelined-${i}`, price: String(Number(prices[i])), status: 'open' },
      });
    });
    const cancelled = await client.cancelAll(SYMBOL);
    expect(cancelled).toHaveLength(29);
  });

  it('keeps an account’s pipelined commands in order: a cancelAll sent right after places cancels them all', async () => {
    const client = socket({ apiKey: buyer.key.replace('Bearer ', '') });
    await client.connect();
    const order = (i: number) => ({
      symbol: SYMBOL,
      side: 'buy' as const,
      type: 'limit' as const,
      price: (1.5 + i / 100).toFixed(2),
      quantity: 8,
      durationHours: 1,
      clientOrderId: `in-order-${i}`,
    });
    const places = Array.from({ length: 20 }, (_, i) => client.place(order(i)));
    // A repeat while the original commits (the writer knows it), and one of an order long done (the database does).
    const repeat = client.place(order(0));
    const old = client.place({ ...order(0), clientOrderId: 'pipelined-0' });
    const cancelled = client.cancelAll(SYMBOL);
    const placed = await Promise.all(places);
    expect((await repeat).id).toBe(placed[0].id);
    expect(await old).toMatchObject({ clientOrderId: 'pipelined-0', status: 'cancelled' });
    expect((await cancelled).map((o) => o.id).sort()).toEqual(placed.map((o) => o.id).sort());
  });

  it('keeps a book equal to the REST book across a dropped update, by sequence and checksum', async () => {
    await sell('3.00');
    const { sequence } = await restBook();
    const lost = new Set([sequence + 2]);
    const client = socket({ WebSocket: losing(lost) });
    const resyncs: string[] = [];
    client.on('resync', (symbol, reason) => resyncs.push(`${symbol} ${reason}`));
    client.subscribe('book', SYMBOL);
    await client.connect();
    await until('the first snapshot', () => client.book(SYMBOL) !== undefined);
    for (const price of ['3.10', '3.20', '3.30', '3.40']) await sell(price);
    await until('the dropped update is noticed', () => resyncs.length > 0);
    expect(lost.size).toBe(0);
    expect(resyncs).toEqual([`${SYMBOL} gap`]);
    await until('the book is back in step', async () => {
      const book = client.book(SYMBOL);
      return book !== undefined && JSON.stringify(asSeen(book)) === JSON.stringify(await restBook());
    });
    const book = client.book(SYMBOL) as LocalBook;
    expect(book.levels('sell').map(([price]) => price)).toEqual(
      expect.arrayContaining(['3', '3.1', '3.2', '3.3', '3.4']),
    );
    expect(asSeen(book)).toEqual(await restBook());
  });

  it('reconnects, signs in and resubscribes across a restart of the exchange, and its book is right again', async () => {
    const client = socket({ apiKey: seller.key.replace('Bearer ', '') });
    const states: string[] = [];
    const orders: string[] = [];
    client.on('state', (state) => states.push(state));
    client.on('order', (order) => orders.push(`${order.price} ${order.status}`));
    client.subscribe('book', SYMBOL);
    client.subscribe('orders');
    await client.connect();
    await until('the snapshot', () => client.book(SYMBOL) !== undefined);

    await exchange.stop();
    await until('the drop is seen', () => states.includes('reconnecting'));
    await start();
    await until('reconnected', () => client.state === 'open');
    await until('a fresh snapshot after the restart', () => client.book(SYMBOL) !== undefined);
    expect(asSeen(client.book(SYMBOL) as LocalBook)).toEqual(await restBook());

    // Signed in again, and the private channel is back: a new order is seen on it, and in the book.
    const placed = await client.place({
      symbol: SYMBOL,
      side: 'sell',
      type: 'limit',
      price: '5.55',
      quantity: 8,
      clusterId: seller.cluster,
    });
    expect(placed.status).toBe('open');
    await until('the order on the private channel', () => orders.includes('5.55 open'));
    await until('the order in the local book', () =>
      (client.book(SYMBOL)?.levels('sell') ?? []).some(([price]) => price === '5.55'),
    );
    expect(asSeen(client.book(SYMBOL) as LocalBook)).toEqual(await restBook());
  });

  it('cancels the open orders of a cancelOnDisconnect connection when it drops', async () => {
    const client = socket({ apiKey: buyer.key.replace('Bearer ', ''), cancelOnDisconnect: true });
    await client.connect();
    const order = await client.place({
      symbol: SYMBOL,
      side: 'buy',
      type: 'limit',
      price: '1.50',
      quantity: 8,
      durationHours: 2,
    });
    expect(order).toMatchObject({ status: 'open', clientOrderId: expect.any(String) });
    const kept = socket({ apiKey: buyer.key.replace('Bearer ', '') });
    await kept.connect();
    const other = await kept.place({
      symbol: SYMBOL,
      side: 'buy',
      type: 'limit',
      price: '1.40',
      quantity: 8,
      durationHours: 2,
    });
    client.close();
    const read = (id: string) =>
      unwrap(api.rest(buyer.key).GET('/v1/orders/{id}', { params: { path: { id } } }));
    await until('the order is cancelled', async () => (await read(order.id)).status === 'cancelled');
    expect((await read(other.id)).status).toBe('open');
    await kept.cancelAll();
  });

  it('refuses commands with the protocol codes, and an unknown key at connect', async () => {
    const client = socket({ apiKey: buyer.key.replace('Bearer ', '') });
    await client.connect();
    await expect(client.cancel({ orderId: '999999999' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.amend('999999999', { quantity: 8 })).rejects.toBeInstanceOf(ExchangeError);
    const stranger = socket({ apiKey: 'gpx_not-a-key', reconnect: false });
    await expect(stranger.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
