import { setTimeout as sleep } from 'node:timers/promises';
import { ExchangeSocket, createRestClient, unwrap, type Lease } from '@gpu-hour-exchange/client';

export interface BuyerOptions {
  url: string;
  /** A buyer's API key (scope `trade`, and `read` for its leases). */
  apiKey: string;
  symbols: string[];
  /** How long it keeps a lease before releasing it (a demo does not wait the hour out). */
  holdMs?: number;
  /** Mean time between two buys. */
  everyMs?: number;
  log?: (line: string) => void;
  onLease?: (lease: Lease) => void;
}

/**
 * A buyer, written against the SDK as a user would: it watches the books, buys a lot at the best ask now and
 * then (an IOC limit, so it never pays more than it saw), keeps a bid resting under the market, and releases each
 * lease a while after it became active. Returns how to stop it.
 */
export async function startBuyer(options: BuyerOptions): Promise<{ stop(): Promise<void> }> {
  const { url, apiKey, symbols, holdMs = 15_000, everyMs = 2000, log = () => undefined } = options;
  const rest = createRestClient({ baseUrl: url, apiKey });
  const socket = new ExchangeSocket({ url, apiKey, cancelOnDisconnect: true });
  const releases = new Map<string, ReturnType<typeof setTimeout>>();
  socket.on('error', (error) => log(`buyer: ${error.message}`));
  socket.on('lease', (lease) => {
    options.onLease?.(lease);
    if (lease.status !== 'active' || releases.has(lease.id)) return;
    const release = () =>
      unwrap(rest.POST('/v1/leases/{id}/release', { params: { path: { id: lease.id } } })).catch(
        (error: unknown) => log(`buyer: releasing ${lease.id}: ${String(error)}`),
      );
    releases.set(lease.id, setTimeout(release, holdMs * (0.5 + Math.random())));
  });
  for (const symbol of symbols) socket.subscribe('book', symbol);
  socket.subscribe('leases');
  await socket.connect();
  const stopped = new AbortController();

  const trade = async () => {
    const symbol = symbols[Math.floor(Math.random() * symbols.length)];
    const book = socket.book(symbol);
    const [bestAsk] = book?.levels('sell', 1) ?? [];
    if (!bestAsk) return;
    await socket.place({
      symbol,
      side: 'buy',
      type: 'limit',
      price: bestAsk[0],
      quantity: 8,
      durationHours: 1,
      timeInForce: 'IOC',
    });
    // A bid under the market, so the ladder has two sides.
    await socket.cancelAll(symbol);
    const bid = (Number(bestAsk[0]) * (0.95 - Math.random() * 0.03)).toFixed(2);
    await socket.place({ symbol, side: 'buy', type: 'limit', price: bid, quantity: 8, durationHours: 1 });
  };
  const loop = async () => {
    while (!stopped.signal.aborted) {
      await trade().catch((error: unknown) => log(`buyer: ${String(error)}`));
      await sleep(everyMs * (0.5 + Math.random()), undefined, { signal: stopped.signal }).catch(
        () => undefined,
      );
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped.abort();
      await running;
      for (const timer of releases.values()) clearTimeout(timer);
      await socket.cancelAll().catch(() => undefined);
      socket.close();
    },
  };
}
