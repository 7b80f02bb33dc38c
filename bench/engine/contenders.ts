import { OrderBook as PeerBook, Side as PeerSide } from 'nodejs-order-book';
import { LimitOrderBook } from '../../src/engine/limit-order-book';
import { Command } from '../../src/engine/types';
import { BENCH_MARKET, Op, Workload, toCommand } from './workloads';

/** A book loaded with a workload's prefill, ready to run its ops. */
export interface Prepared {
  /** Runs every op, untimed per op (the throughput loop). */
  runAll(): void;
  /**
   * Runs every op, timing each call alone (ns, into `latencies`), and counts outside the timed region how
   * many trades were made and how many GPUs they traded (the two contenders must agree on the GPUs).
   */
  runTimed(latencies: Float64Array): Tally;
}

export interface Tally {
  trades: number;
  traded: number;
}

const nowNs = (): number => performance.now() * 1e6;

export interface Contender {
  name: string;
  prepare(workload: Workload): Prepared;
}

export const ours: Contender = {
  name: 'ours',
  prepare(workload) {
    const book = new LimitOrderBook(BENCH_MARKET);
    for (const op of workload.prefill) book.process(toCommand(op));
    const commands: Command[] = workload.ops.map(toCommand);
    return {
      runAll() {
        for (let i = 0; i < commands.length; i++) book.process(commands[i]);
      },
      runTimed(latencies) {
        const tally = { trades: 0, traded: 0 };
        for (let i = 0; i < commands.length; i++) {
          const t0 = nowNs();
          const result = book.process(commands[i]);
          latencies[i] = nowNs() - t0;
          for (const e of result.events) {
            if (e.type !== 'trade') continue;
            tally.traded += e.quantity;
            tally.trades++;
          }
        }
        return tally;
      },
    };
  },
};

const enum Kind {
  Limit,
  Market,
  Cancel,
  Amend,
}

/** nodejs-order-book: its arguments are built before timing, as ours are. */
export const peer: Contender = {
  name: 'nodejs-order-book',
  prepare(workload) {
    const book = new PeerBook();
    const side = (s: 'buy' | 'sell'): PeerSide => (s === 'buy' ? PeerSide.BUY : PeerSide.SELL);
    const call = (op: Op): { kind: Kind; id: string; arg: unknown } => {
      const id = String(op.id);
      switch (op.kind) {
        case 'limit':
          return { kind: Kind.Limit, id, arg: { side: side(op.side), id, size: op.qty, price: op.price } };
        case 'market':
          return { kind: Kind.Market, id, arg: { side: side(op.side), size: op.qty } };
        case 'cancel':
          return { kind: Kind.Cancel, id, arg: null };
        case 'amend':
          return { kind: Kind.Amend, id, arg: { price: op.price } };
      }
    };
    for (const op of workload.prefill) {
      if (op.kind === 'limit')
        book.limit({ side: side(op.side), id: String(op.id), size: op.qty, price: op.price });
    }
    const calls = workload.ops.map(call);
    const kinds = Uint8Array.from(calls, (c) => c.kind);
    const ids = calls.map((c) => c.id);
    const args = calls.map((c) => c.arg);
    const runAt = (i: number) => {
      switch (kinds[i]) {
        case Kind.Limit:
          return book.limit(args[i] as Parameters<PeerBook['limit']>[0]);
        case Kind.Market:
          return book.market(args[i] as Parameters<PeerBook['market']>[0]);
        case Kind.Cancel:
          book.cancel(ids[i]);
          return null;
        default:
          return book.modify(ids[i], args[i] as { price: number });
      }
    };
    return {
      runAll() {
        for (let i = 0; i < kinds.length; i++) runAt(i);
      },
      runTimed(latencies) {
        const tally = { trades: 0, traded: 0 };
        for (let i = 0; i < kinds.length; i++) {
          const t0 = nowNs();
          const response = runAt(i);
          latencies[i] = nowNs() - t0;
          if (response === null || response.err) continue;
          // Makers filled in full are in `done` with the size they had; a maker filled in part is `partial`.
          for (const o of response.done) {
            if (o.id === ids[i]) continue;
            tally.trades++;
            tally.traded += o.size;
          }
          if (response.partial !== null && response.partial.id !== ids[i]) {
            tally.trades++;
            tally.traded += response.partialQuantityProcessed;
          }
        }
        return tally;
      },
    };
  },
};
