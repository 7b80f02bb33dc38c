import { fillSize } from '../rules';
import { BookSnapshot, Command, CommandResult, MS_PER_HOUR, RestingOrder } from '../types';

/** The terms of an order as the audit knows them (resting, or arriving with the command). */
interface Known {
  id: number;
  accountId: number;
  side: 'buy' | 'sell';
  price: number | null;
  durationHours: number | null;
  availableUntil: number | null;
  minQuantity: number | null;
  timeInForce: string;
  postOnly: boolean;
  quantity: number;
}

/**
 * Checks the engine's promises from the outside, command after command, using only the events and snapshots:
 * quantity conservation, FIFO within a level, no self-trade, FOK all-or-nothing, post-only never takes,
 * minQuantity and spot eligibility respected, trades at the maker's price, and no tradeable pair left resting.
 * Returns the violations found.
 */
export class BookAudit {
  /** Remaining quantity of every open order, as the events tell it. */
  private readonly open = new Map<number, number>();
  /** When each resting order last took its place in the queue. */
  private readonly entered = new Map<number, number>();
  private entries = 0;
  private placed = 0;
  private filled = 0;
  private disposed = 0;
  /** The time of the last command the book accepted. */
  private bookNow = 0;

  check(cmd: Command, result: CommandResult, before: BookSnapshot, after: BookSnapshot): string[] {
    if (result.code !== 'OK') return [];
    const problems: string[] = [];
    this.bookNow = cmd.now;
    const known = new Map<number, Known>(before.orders.map((o) => [o.id, fromResting(o)]));
    if (cmd.kind === 'place') known.set(cmd.orderId, fromPlace(cmd));
    let takerTraded = 0;
    for (const e of result.events) {
      switch (e.type) {
        case 'accepted':
          this.open.set(e.orderId, (cmd as { quantity: number }).quantity);
          this.placed += (cmd as { quantity: number }).quantity;
          break;
        case 'amended': {
          this.placed += e.remaining - (this.open.get(e.orderId) ?? 0);
          this.open.set(e.orderId, e.remaining);
          if (!e.priorityKept) this.entered.delete(e.orderId);
          const k = known.get(e.orderId);
          if (k) known.set(e.orderId, { ...k, price: e.price });
          break;
        }
        case 'trade': {
          const maker = known.get(e.makerOrderId);
          const taker = known.get(e.takerOrderId);
          problems.push(...tradeProblems(e, maker, taker, cmd.now));
          if (cmd.kind === 'place' && e.takerOrderId === cmd.orderId) takerTraded += e.quantity;
          for (const id of [e.makerOrderId, e.takerOrderId])
            this.open.set(id, (this.open.get(id) ?? 0) - e.quantity);
          this.filled += 2 * e.quantity;
          break;
        }
        case 'reduced':
          this.open.set(e.orderId, (this.open.get(e.orderId) ?? 0) - e.reducedBy);
          this.disposed += e.reducedBy;
          break;
        case 'done':
          if ((this.open.get(e.orderId) ?? -1) !== e.remaining && e.status !== 'filled') {
            problems.push(
              `order ${e.orderId} done with ${e.remaining} but ${this.open.get(e.orderId)} was open`,
            );
          }
          if (e.status === 'filled' && this.open.get(e.orderId) !== 0)
            problems.push(`order ${e.orderId} not filled`);
          this.disposed += e.remaining;
          this.open.delete(e.orderId);
          this.entered.delete(e.orderId);
          break;
      }
    }
    if (
      cmd.kind === 'place' &&
      cmd.timeInForce === 'FOK' &&
      takerTraded !== 0 &&
      takerTraded !== cmd.quantity
    ) {
      problems.push(`FOK order ${cmd.orderId} filled partly (${takerTraded} of ${cmd.quantity})`);
    }
    for (const o of after.orders) if (!this.entered.has(o.id)) this.entered.set(o.id, ++this.entries);
    problems.push(
      ...this.conservationProblems(after),
      ...this.fifoProblems(after),
      ...this.crossedProblems(after),
    );
    return problems;
  }

  private conservationProblems(after: BookSnapshot): string[] {
    const resting = after.orders.reduce((sum, o) => sum + o.quantity - o.filled, 0);
    const problems: string[] = [];
    if (this.placed !== resting + this.filled + this.disposed) {
      problems.push(
        `placed ${this.placed} != resting ${resting} + filled ${this.filled} + gone ${this.disposed}`,
      );
    }
    if (after.orders.length !== this.open.size)
      problems.push(`${this.open.size} open by events, ${after.orders.length} resting`);
    for (const o of after.orders) {
      if (this.open.get(o.id) !== o.quantity - o.filled)
        problems.push(`order ${o.id}: events and book disagree`);
    }
    return problems;
  }

  private fifoProblems(after: BookSnapshot): string[] {
    const problems: string[] = [];
    after.orders.forEach((o, i) => {
      const prev = after.orders[i - 1];
      if (prev && prev.side === o.side && prev.price === o.price) {
        if ((this.entered.get(prev.id) as number) > (this.entered.get(o.id) as number)) {
          problems.push(`FIFO broken at ${o.side} ${o.price}: ${prev.id} before ${o.id}`);
        }
      }
    });
    return problems;
  }

  /** A bid and an ask may both rest across each other only if they cannot trade. */
  private crossedProblems(after: BookSnapshot): string[] {
    const bids = after.orders.filter((o) => o.side === 'buy');
    const asks = after.orders.filter((o) => o.side === 'sell');
    const problems: string[] = [];
    for (const b of bids) {
      for (const a of asks) {
        if (a.price > b.price) continue;
        const size = fillSize(
          { durationHours: b.durationHours, minQuantity: b.minQuantity, remaining: b.quantity - b.filled },
          { availableUntil: a.availableUntil, remaining: a.quantity - a.filled },
          this.bookNow,
        );
        if (size > 0) problems.push(`bid ${b.id} and ask ${a.id} could trade ${size} but both rest`);
      }
    }
    return problems;
  }
}

function tradeProblems(
  e: { price: number; quantity: number; makerAccountId: number; takerAccountId: number; tradeId: number },
  maker: Known | undefined,
  taker: Known | undefined,
  now: number,
): string[] {
  if (!maker || !taker) return [`trade ${e.tradeId}: unknown maker or taker`];
  const problems: string[] = [];
  const buy = maker.side === 'buy' ? maker : taker;
  const sell = maker.side === 'buy' ? taker : maker;
  if (e.makerAccountId === e.takerAccountId) problems.push(`trade ${e.tradeId}: self-trade`);
  if (e.price !== maker.price) problems.push(`trade ${e.tradeId}: not at the maker's price`);
  if (taker.postOnly) problems.push(`trade ${e.tradeId}: a post-only order took`);
  if (buy.minQuantity !== null && e.quantity < buy.minQuantity)
    problems.push(`trade ${e.tradeId}: below minQuantity`);
  if (
    sell.availableUntil !== null &&
    now + (buy.durationHours as number) * MS_PER_HOUR > sell.availableUntil
  ) {
    problems.push(`trade ${e.tradeId}: the sell's GPUs are not free for the lease`);
  }
  if (buy.price !== null && e.price > buy.price) problems.push(`trade ${e.tradeId}: above the buy's limit`);
  if (sell.price !== null && e.price < sell.price)
    problems.push(`trade ${e.tradeId}: below the sell's limit`);
  return problems;
}

function fromResting(o: RestingOrder): Known {
  return { ...o };
}

function fromPlace(cmd: Extract<Command, { kind: 'place' }>): Known {
  return {
    id: cmd.orderId,
    accountId: cmd.accountId,
    side: cmd.side,
    price: cmd.price ?? null,
    durationHours: cmd.durationHours ?? null,
    availableUntil: cmd.availableUntil ?? null,
    minQuantity: cmd.minQuantity ?? null,
    timeInForce: cmd.timeInForce ?? 'GTC',
    postOnly: cmd.postOnly ?? false,
    quantity: cmd.quantity,
  };
}
