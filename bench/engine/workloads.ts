import { LimitOrderBook } from '../../src/engine/limit-order-book';
import { Command, MarketSpec, Side } from '../../src/engine/types';

/** One operation of a benchmark workload, independent of the engine that runs it. */
export type Op =
  | { kind: 'limit'; id: number; side: Side; price: number; qty: number }
  | { kind: 'market'; id: number; side: Side; qty: number }
  | { kind: 'cancel'; id: number; side: Side }
  | { kind: 'amend'; id: number; side: Side; price: number };

export interface Workload {
  name: string;
  description: string;
  /** Resting orders placed before timing starts. */
  prefill: Op[];
  /** The timed operations. */
  ops: Op[];
}

export const BENCH_MARKET: MarketSpec = {
  symbol: 'BENCH',
  tickSize: 1,
  lotSize: 1,
  minDurationHours: 1,
  maxDurationHours: 720,
};

const MID = 100_000;
const NOW = 1_800_000_000_000;

/** mulberry32: a small, fast, seeded PRNG, so every run of a workload is the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Our engine's command for an op. Buyers and sellers come from disjoint accounts, so no self-trade occurs. */
export function toCommand(op: Op): Command {
  switch (op.kind) {
    case 'limit':
    case 'market':
      return {
        kind: 'place',
        now: NOW,
        symbol: BENCH_MARKET.symbol,
        orderId: op.id,
        accountId: accountOf(op),
        side: op.side,
        type: op.kind,
        price: op.kind === 'limit' ? op.price : null,
        quantity: op.qty,
        durationHours: op.side === 'buy' ? 1 : null,
        timeInForce: op.kind === 'market' ? 'IOC' : 'GTC',
      };
    case 'cancel':
      return {
        kind: 'cancel',
        now: NOW,
        symbol: BENCH_MARKET.symbol,
        orderId: op.id,
        accountId: accountOf(op),
      };
    case 'amend':
      return {
        kind: 'amend',
        now: NOW,
        symbol: BENCH_MARKET.symbol,
        orderId: op.id,
        accountId: accountOf(op),
        price: op.price,
      };
  }
}

function accountOf(op: { id: number; side: Side }): number {
  return (op.id % 50) + (op.side === 'buy' ? 0 : 50);
}

/**
 * Generates ops while tracking which orders are still resting (through our engine, untimed), so cancels and
 * amends target live orders as a trading session's would. Both engines then replay the same op list.
 */
class Generator {
  readonly rand: () => number;
  private readonly book = new LimitOrderBook(BENCH_MARKET);
  private readonly live: number[] = [];
  private readonly slot = new Map<number, number>();
  private readonly sides = new Map<number, Side>();
  private nextId = 1;

  constructor(seed: number) {
    this.rand = prng(seed);
  }

  get liveCount(): number {
    return this.live.length;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.rand() < p;
  }

  /** A resting limit order `offset` ticks away from the mid on its own side (offset >= 1 never crosses). */
  limit(side: Side, offset: number, qty: number): Op {
    const price = side === 'buy' ? MID - offset : MID + offset;
    return this.apply({ kind: 'limit', id: this.nextId++, side, price, qty });
  }

  /** A limit order priced `through` ticks beyond the best opposite price: it takes liquidity. */
  crossing(side: Side, through: number, qty: number): Op {
    const depth = this.book.depth(1);
    const best = side === 'buy' ? depth.asks[0]?.[0] : depth.bids[0]?.[0];
    const price = best === undefined ? MID : side === 'buy' ? best + through : best - through;
    return this.apply({ kind: 'limit', id: this.nextId++, side, price, qty });
  }

  market(side: Side, qty: number): Op {
    return this.apply({ kind: 'market', id: this.nextId++, side, qty });
  }

  cancelRandom(): Op | null {
    if (this.live.length === 0) return null;
    const id = this.live[this.int(0, this.live.length - 1)];
    return this.apply({ kind: 'cancel', id, side: this.sides.get(id) as Side });
  }

  amendRandom(offset: number): Op | null {
    if (this.live.length === 0) return null;
    const id = this.live[this.int(0, this.live.length - 1)];
    const side = this.sides.get(id) as Side;
    const price = side === 'buy' ? MID - offset : MID + offset;
    return this.apply({ kind: 'amend', id, side, price });
  }

  private apply(op: Op): Op {
    if (op.kind === 'limit') this.sides.set(op.id, op.side);
    const result = this.book.process(toCommand(op));
    let closed = false;
    for (const e of result.events) {
      if (e.type !== 'done') continue;
      if (e.orderId === op.id) closed = true;
      this.drop(e.orderId);
    }
    if (op.kind === 'limit' && !closed) this.keep(op.id);
    return op;
  }

  private keep(id: number): void {
    if (this.slot.has(id)) return;
    this.slot.set(id, this.live.length);
    this.live.push(id);
  }

  private drop(id: number): void {
    const i = this.slot.get(id);
    if (i === undefined) return;
    this.sides.delete(id);
    const last = this.live.pop() as number;
    if (last !== id) {
      this.live[i] = last;
      this.slot.set(last, i);
    }
    this.slot.delete(id);
  }
}

const side = (g: Generator): Side => (g.chance(0.5) ? 'buy' : 'sell');

/**
 * ~1,000 resting orders per side near the mid; 50% limits (3% to 15% of them crossing the spread, as needed to
 * hold the book near 2,000 orders), 35% cancels, 10% market orders, 5% amends (price moves, which lose priority
 * in both engines).
 */
export function mixed(seed: number, count: number, spread = 50): Workload {
  const g = new Generator(seed);
  const prefill: Op[] = [];
  for (let i = 0; i < 1000; i++) {
    prefill.push(
      g.limit('buy', g.int(1, spread), g.int(1, 10)),
      g.limit('sell', g.int(1, spread), g.int(1, 10)),
    );
  }
  const ops: Op[] = [];
  while (ops.length < count) {
    const r = g.rand();
    const op =
      r < 0.5
        ? g.chance(g.liveCount > 2000 ? 0.15 : 0.03)
          ? g.crossing(side(g), g.int(0, 2), g.int(1, 10))
          : g.limit(side(g), g.int(1, spread), g.int(1, 10))
        : r < 0.85
          ? g.cancelRandom()
          : r < 0.95
            ? g.market(side(g), g.int(1, 10))
            : g.amendRandom(g.int(1, spread));
    if (op) ops.push(op);
  }
  return spread === 50
    ? {
        name: 'mixed',
        description: 'mixed session near the mid, ~1,000 orders per side on ~50 levels',
        prefill,
        ops,
      }
    : {
        name: 'mixed-wide',
        description: `the mixed session spread over ~${spread} levels per side`,
        prefill,
        ops,
      };
}

/** Non-crossing limit orders only, into an empty book that grows to `count` orders. */
export function insertOnly(seed: number, count: number): Workload {
  const g = new Generator(seed);
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) ops.push(g.limit(side(g), g.int(1, 200), g.int(1, 10)));
  return { name: 'insert-only', description: 'resting inserts into an empty book', prefill: [], ops };
}

/** 10,000 resting orders per side; every order placed is later cancelled: 50% inserts, 50% cancels. */
export function cancelHeavy(seed: number, count: number): Workload {
  const g = new Generator(seed);
  const prefill: Op[] = [];
  for (let i = 0; i < 10_000; i++) {
    prefill.push(g.limit('buy', g.int(1, 100), g.int(1, 10)), g.limit('sell', g.int(1, 100), g.int(1, 10)));
  }
  const ops: Op[] = [];
  while (ops.length < count) {
    const op = g.chance(0.5) ? g.limit(side(g), g.int(1, 100), g.int(1, 10)) : g.cancelRandom();
    if (op) ops.push(op);
  }
  return {
    name: 'cancel-heavy',
    description: '20,000 resting; 50% cancels of random resting orders, 50% inserts',
    prefill,
    ops,
  };
}

/**
 * 100,000 resting orders on 800 levels (~125 per level); cancels anywhere inside deep levels, inserts joining
 * them, and market orders filling at the top.
 */
export function deep(seed: number, count: number): Workload {
  const g = new Generator(seed);
  const prefill: Op[] = [];
  for (let i = 0; i < 50_000; i++) {
    prefill.push(g.limit('buy', g.int(1, 400), g.int(1, 10)), g.limit('sell', g.int(1, 400), g.int(1, 10)));
  }
  const ops: Op[] = [];
  while (ops.length < count) {
    const r = g.rand();
    const op =
      r < 0.45
        ? g.cancelRandom()
        : r < 0.9
          ? g.limit(side(g), g.int(1, 400), g.int(1, 10))
          : g.market(side(g), g.int(5, 20));
    if (op) ops.push(op);
  }
  return {
    name: 'deep',
    description: '100,000 resting, ~125 per level; cancels and fills inside deep levels',
    prefill,
    ops,
  };
}
