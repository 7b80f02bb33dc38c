import { setTimeout as sleep } from 'node:timers/promises';
import { ExchangeError, ExchangeSocket } from '@gpu-hour-exchange/client';

export interface MarketMakerOptions {
  /** The exchange, for example http://127.0.0.1:8080. */
  url: string;
  /** A seller's API key (scope `sell`). */
  apiKey: string;
  symbol: string;
  /** The seller's cluster whose GPUs are offered. */
  clusterId: string;
  /** Where quoting starts, in USD per GPU-hour; it then wanders by a random walk. */
  startPrice: number;
  /** Ask levels to keep, a lot (8 GPUs) each, a few ticks apart. */
  levels?: number;
  requoteMs?: number;
  log?: (line: string) => void;
}

const cents = (value: number) => (Math.round(value * 100) / 100).toFixed(2);

/**
 * A seller's quoting bot, written against the SDK as a user would: it keeps a ladder of asks for its cluster's
 * GPUs and moves it every few seconds. `cancelOnDisconnect` pulls its quotes if it dies. Returns how to stop it
 * (which cancels what it still quotes).
 */
export async function startMarketMaker(options: MarketMakerOptions): Promise<{ stop(): Promise<void> }> {
  const { url, apiKey, symbol, clusterId, levels = 4, requoteMs = 2500, log = () => undefined } = options;
  const socket = new ExchangeSocket({ url, apiKey, cancelOnDisconnect: true });
  socket.on('error', (error) => log(`${symbol} maker: ${error.message}`));
  await socket.connect();
  let price = options.startPrice;
  const stopped = new AbortController();

  const requote = async () => {
    // A random walk, kept within 20% of where it started.
    price = Math.min(
      options.startPrice * 1.2,
      Math.max(options.startPrice * 0.8, price * (1 + (Math.random() - 0.5) * 0.02)),
    );
    await socket.cancelAll(symbol);
    await Promise.all(
      Array.from({ length: levels }, (_, level) =>
        socket.place({
          symbol,
          side: 'sell',
          type: 'limit',
          price: cents(price + level * 0.03),
          quantity: 8,
          clusterId,
        }),
      ),
    );
  };
  const loop = async () => {
    while (!stopped.signal.aborted) {
      await requote().catch((error: unknown) => {
        // Capacity out on lease is the usual refusal: the next round quotes what is free again.
        if (!(error instanceof ExchangeError && error.code === 'INSUFFICIENT_CAPACITY'))
          log(`${symbol} maker: ${String(error)}`);
      });
      await sleep(requoteMs * (0.5 + Math.random()), undefined, { signal: stopped.signal }).catch(
        () => undefined,
      );
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped.abort();
      await running;
      await socket.cancelAll(symbol).catch(() => undefined);
      socket.close();
    },
  };
}
