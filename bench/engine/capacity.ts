import { LimitOrderBook } from '../../src/engine/limit-order-book';
import { BENCH_MARKET, prng } from './workloads';

export interface Capacity {
  orders: number;
  levels: number;
  heapBytesPerOrder: number | null;
  snapshotMs: number;
  restoreMs: number;
  snapshotPlusRestoreMs: number;
  restoredHashMatches: boolean;
}

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

function heapAfterGc(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Fills one book with `count` resting orders (~125 per level; every sell carries an availableUntil, so half the
 * orders sit in the expiry heap too), then reports heap per resting order and the time to snapshot the book
 * and to restore it.
 */
export function measureCapacity(count: number, log: (line: string) => void): Capacity {
  const rand = prng(9);
  const levelsPerSide = Math.max(1, Math.round(count / 250));
  const before = heapAfterGc();
  const book = new LimitOrderBook(BENCH_MARKET);
  for (let id = 1; id <= count; id++) {
    const isBuy = id % 2 === 0;
    const offset = 1 + Math.floor(rand() * levelsPerSide);
    book.process({
      kind: 'place',
      now: NOW,
      symbol: BENCH_MARKET.symbol,
      orderId: id,
      accountId: 1 + (id % 1000),
      side: isBuy ? 'buy' : 'sell',
      type: 'limit',
      price: isBuy ? 100_000 - offset : 100_000 + offset,
      quantity: 8 * (1 + Math.floor(rand() * 8)),
      durationHours: isBuy ? 1 + Math.floor(rand() * 24) : null,
      availableUntil: isBuy ? null : NOW + (24 + Math.floor(rand() * 700)) * HOUR,
    });
  }
  const after = heapAfterGc();
  const heapBytesPerOrder = before === null || after === null ? null : Math.round((after - before) / count);
  const depth = book.depth();
  const t0 = performance.now();
  const snapshot = book.snapshot();
  const t1 = performance.now();
  const restored = LimitOrderBook.restore(snapshot);
  const t2 = performance.now();
  const result: Capacity = {
    orders: book.orderCount,
    levels: depth.bids.length + depth.asks.length,
    heapBytesPerOrder,
    snapshotMs: Math.round(t1 - t0),
    restoreMs: Math.round(t2 - t1),
    snapshotPlusRestoreMs: Math.round(t2 - t0),
    restoredHashMatches: restored.stateHash() === book.stateHash(),
  };
  log(
    `\ncapacity: ${result.orders} resting orders on ${result.levels} levels: ` +
      `heap ${result.heapBytesPerOrder ?? '? (needs --expose-gc)'} bytes/order, snapshot ${result.snapshotMs} ms, ` +
      `restore ${result.restoreMs} ms, restored state hash ${result.restoredHashMatches ? 'matches' : 'DIFFERS'}`,
  );
  return result;
}
