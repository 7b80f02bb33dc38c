import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'A100-SXM.eu-west.firm';
const CYCLES = 3;
const STREAM_MS = 1200;
const WORKERS = 6;

interface Trader {
  id: string;
  key: string;
  cluster?: string;
}

interface Ack {
  id: string;
  key: string;
}

/**
 * kill -9 in the middle of a stream of orders, restart, check: every acknowledged order and cancel is there, the
 * book is exactly the open orders (levels and time priority), and the ledger balances. Several cycles.
 */
describe('crash recovery', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let buyers: Trader[];
  let sellers: Trader[];

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database);
    const api = new Api(exchange);
    buyers = await Promise.all([1, 2, 3].map((i) => api.account(`buyer ${i}`, ['trade', 'read'], '1000000')));
    sellers = [];
    for (const i of [1, 2, 3]) {
      sellers.push(await api.seller(`seller ${i}`, { gpu: 'A100-SXM', region: 'eu-west', gpuCount: 100000 }));
    }
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  /** Sends orders (and some cancels) from several clients until told to stop; records what was acknowledged. */
  async function stream(url: string, stopAt: { stop: boolean }, seed: number) {
    const orders: Ack[] = [];
    const cancels: Ack[] = [];
    let random = seed;
    const next = () => (random = (random * 1103515245 + 12345) % 2147483648) / 2147483648;
    const send = async (method: string, path: string, key: string, body?: object) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: key, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as { id: string } };
    };
    const worker = async () => {
      while (!stopAt.stop) {
        try {
          if (orders.length > 5 && next() < 0.2) {
            const target = orders[Math.floor(next() * orders.length)];
            const res = await send('DELETE', `/v1/orders/${target.id}`, target.key);
            if (res.status === 200) cancels.push(target);
            continue;
          }
          const isBuy = next() < 0.5;
          const trader = (isBuy ? buyers : sellers)[Math.floor(next() * 3)];
          const cents = 100 + Math.floor(next() * 20) + (isBuy ? -5 : 5);
          const order = {
            symbol: SYMBOL,
            side: isBuy ? 'buy' : 'sell',
            type: 'limit',
            price: (cents / 100).toFixed(2),
            quantity: 8 * (1 + Math.floor(next() * 3)),
            ...(isBuy ? { durationHours: 1 + Math.floor(next() * 3) } : { clusterId: trader.cluster }),
          };
          const res = await send('POST', '/v1/orders', trader.key, order);
          if (res.status === 201) orders.push({ id: res.body.id, key: trader.key });
        } catch {
          return; // the server is gone: whatever was in flight was never acknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    return { orders, cancels };
  }

  it(`keeps every acknowledged order and the books through ${CYCLES} kill -9 cycles`, async () => {
    const acknowledged: Ack[] = [];
    const cancelled: Ack[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const stopAt = { stop: false };
      const running = stream(exchange.url, stopAt, cycle + 1);
      await new Promise((resolve) => setTimeout(resolve, STREAM_MS));
      await exchange.stop('SIGKILL');
      stopAt.stop = true;
      const { orders, cancels } = await running;
      expect(orders.length).toBeGreaterThan(10);
      acknowledged.push(...orders);
      cancelled.push(...cancels);
      exchange = await ExchangeProcess.start(database);
      const api = new Api(exchange);

      for (const ack of acknowledged) {
        await api.http.get(`/v1/orders/${ack.id}`).set('Authorization', ack.key).expect(200);
      }
      for (const ack of cancelled) {
        const { body } = await api.http.get(`/v1/orders/${ack.id}`).set('Authorization', ack.key).expect(200);
        expect(body.status).toBe('cancelled');
      }

      // The book is exactly the open orders, level by level.
      const open: {
        id: string;
        side: string;
        price: string;
        remainingQuantity: number;
        createdAt: string;
      }[] = [];
      for (const trader of [...buyers, ...sellers]) {
        const { body } = await api.http
          .get(`/v1/orders?status=open&symbol=${SYMBOL}&limit=1000`)
          .set('Authorization', trader.key)
          .expect(200);
        open.push(...body);
      }
      const levels = (side: string) => {
        const totals = new Map<string, number>();
        for (const o of open.filter((x) => x.side === side)) {
          totals.set(o.price, (totals.get(o.price) ?? 0) + o.remainingQuantity);
        }
        return [...totals.entries()].sort(
          (a, b) => (side === 'buy' ? 1 : -1) * (Number(b[0]) - Number(a[0])),
        );
      };
      const book = (await api.http.get(`/v1/markets/${SYMBOL}/book?depth=1000`).expect(200)).body;
      expect(book.bids).toEqual(levels('buy'));
      expect(book.asks).toEqual(levels('sell'));

      // Time priority survived: at the best ask, a small buy trades with the earliest order there.
      if (book.asks.length > 0) {
        const [bestAsk] = book.asks[0];
        const earliest = open
          .filter((o) => o.side === 'sell' && o.price === bestAsk)
          .sort((a, b) => Number(a.id) - Number(b.id))[0];
        const probe = await api.http
          .post('/v1/orders')
          .set('Authorization', buyers[0].key)
          .send({
            symbol: SYMBOL,
            side: 'buy',
            type: 'limit',
            price: bestAsk,
            quantity: 8,
            durationHours: 1,
            timeInForce: 'IOC',
          })
          .expect(201);
        expect(probe.body.filledQuantity).toBe(8);
        const fill = (await api.http.get('/v1/fills?limit=1').set('Authorization', buyers[0].key).expect(200))
          .body[0];
        const sellerFill = await Promise.all(
          sellers.map((s) => api.http.get('/v1/fills?limit=5').set('Authorization', s.key)),
        );
        const maker = sellerFill
          .flatMap((r) => r.body)
          .find((f: { tradeId: string }) => f.tradeId === fill.tradeId);
        expect(maker.orderId).toBe(earliest.id);
      }

      const audit = await api.http
        .get('/v1/admin/ledger/audit')
        .set('Authorization', api.admin())
        .expect(200);
      expect(audit.body).toEqual({ balanced: true, problems: [] });
    }
  });
});
