import { accepted, amended, done, reduced, rejected, trade } from './events';
import { expiryReason, expiryTime, fillSize, reaches } from './rules';
import { hashSnapshot } from './state-hash';
import {
  BookSnapshot,
  Command,
  CommandResult,
  Depth,
  DoneReason,
  EngineEvent,
  LevelEvent,
  MarketSpec,
  OrderBook,
  PlaceCommand,
  PriceLevel,
  RestingOrder,
  Side,
} from './types';
import { REJECT, Rejection, validateAmend, validateEnvelope, validatePlace } from './validation';

interface RefOrder extends Omit<RestingOrder, 'quantity' | 'price'> {
  price: number | null;
  remaining: number;
  /** Time priority: lower is earlier. */
  seq: number;
}

/**
 * A deliberately simple order book: one array of resting orders, sorted afresh whenever priority matters, and
 * level changes found by diffing the aggregated book before and after each command. It is slow and obviously
 * right; the contract and property tests hold the fast book to it, event for event.
 */
export class ReferenceOrderBook implements OrderBook {
  private resting: RefOrder[] = [];
  private nextSeq = 0;
  sequence = 0;
  lastTradeId = 0;

  constructor(readonly market: MarketSpec) {}

  static restore(snapshot: BookSnapshot): ReferenceOrderBook {
    const book = new ReferenceOrderBook({ ...snapshot.market });
    book.sequence = snapshot.sequence;
    book.lastTradeId = snapshot.lastTradeId;
    for (const o of snapshot.orders) {
      const { quantity, ...rest } = o;
      book.resting.push({ ...rest, remaining: quantity - o.filled, seq: book.nextSeq++ });
    }
    return book;
  }

  get orderCount(): number {
    return this.resting.length;
  }

  process(command: Command): CommandResult {
    const envelope = validateEnvelope(command);
    if (envelope) return rejected(command, envelope);
    const before = this.levelTotals();
    const events: EngineEvent[] = [];
    let rejection: Rejection | null = null;
    if (command.kind === 'place') rejection = this.place(command, events);
    else if (command.kind === 'tick') this.expire(command.now, events);
    else if (command.kind === 'cancelAll') {
      this.expire(command.now, events);
      const side = command.side ?? null;
      const mine = this.resting
        .filter((o) => o.accountId === command.accountId && (side === null || o.side === side))
        .sort((a, b) => a.id - b.id);
      for (const o of mine) this.close(o, 'cancelled', 'cancel_all', events);
    } else {
      const order = this.resting.find((o) => o.id === command.orderId && !expiresBy(o, command.now));
      if (!order) rejection = REJECT.notOpen;
      else if (order.accountId !== command.accountId) rejection = REJECT.foreign;
      else if (command.kind === 'cancel') {
        this.expire(command.now, events);
        this.close(order, 'cancelled', 'cancelled_by_user', events);
      } else rejection = this.amend(order, command.price, command.quantity, command.now, events);
    }
    if (rejection) return rejected(command, rejection);
    this.publishLevels(before, events);
    return { code: 'OK', events };
  }

  depth(levels = Number.MAX_SAFE_INTEGER): Depth {
    const side = (s: Side): PriceLevel[] => {
      const out: PriceLevel[] = [];
      for (const o of this.queue(s)) {
        const last = out[out.length - 1];
        if (last && last[0] === o.price) last[1] += o.remaining;
        else out.push([o.price as number, o.remaining]);
      }
      return out.slice(0, levels);
    };
    return { sequence: this.sequence, bids: side('buy'), asks: side('sell') };
  }

  snapshot(): BookSnapshot {
    const orders = [...this.queue('buy'), ...this.queue('sell')].map(
      ({ seq, remaining, ...o }): RestingOrder => ({
        ...o,
        price: o.price as number,
        quantity: o.filled + remaining,
      }),
    );
    return {
      version: 1,
      market: { ...this.market },
      sequence: this.sequence,
      lastTradeId: this.lastTradeId,
      orders,
    };
  }

  validate(): string[] {
    const ids = new Set(this.resting.map((o) => o.id));
    const problems = ids.size === this.resting.length ? [] : ['duplicate order ids'];
    for (const o of this.resting) {
      if (o.remaining <= 0) problems.push(`order ${o.id}: nothing remaining`);
      if (o.minQuantity !== null && o.remaining < o.minQuantity)
        problems.push(`order ${o.id}: below minQuantity`);
    }
    return problems;
  }

  stateHash(): string {
    return hashSnapshot(this.snapshot());
  }

  private place(cmd: PlaceCommand, events: EngineEvent[]): Rejection | null {
    const problem = validatePlace(cmd, this.market);
    if (problem) return problem;
    if (this.resting.some((o) => o.id === cmd.orderId)) return REJECT.duplicate;
    const order: RefOrder = {
      id: cmd.orderId,
      accountId: cmd.accountId,
      side: cmd.side,
      price: cmd.type === 'limit' ? (cmd.price as number) : null,
      remaining: cmd.quantity,
      filled: 0,
      durationHours: cmd.durationHours ?? null,
      availableUntil: cmd.availableUntil ?? null,
      minQuantity: cmd.minQuantity ?? null,
      timeInForce: cmd.timeInForce ?? 'GTC',
      expireAt: cmd.expireAt ?? null,
      postOnly: cmd.postOnly ?? false,
      selfTradePrevention: cmd.selfTradePrevention ?? 'cancel_newest',
      seq: -1,
    };
    if (order.postOnly && this.tradeableMakers(order, cmd.now).length > 0) {
      return REJECT.postOnly;
    }
    this.expire(cmd.now, events);
    events.push(accepted(this.market.symbol, order));
    if (order.timeInForce === 'FOK' && !this.fillsCompletely(order, cmd.now)) {
      events.push(done(this.market.symbol, order, 'cancelled', 'fok_not_filled', order.remaining));
      return null;
    }
    this.matchAndSettle(order, cmd.now, events);
    return null;
  }

  private amend(
    order: RefOrder,
    newPrice: number | null | undefined,
    newQuantity: number | null | undefined,
    now: number,
    events: EngineEvent[],
  ): Rejection | null {
    const problem = validateAmend(
      {
        kind: 'amend',
        now,
        symbol: '',
        orderId: order.id,
        accountId: order.accountId,
        price: newPrice,
        quantity: newQuantity,
      },
      this.market,
      order,
    );
    if (problem) return problem;
    const price = newPrice ?? (order.price as number);
    const quantity = newQuantity ?? order.filled + order.remaining;
    const priorityKept = price === order.price && quantity <= order.filled + order.remaining;
    const remaining = quantity - order.filled;
    if (order.postOnly && this.tradeableMakers({ ...order, price, remaining }, now).length > 0) {
      return REJECT.postOnly;
    }
    this.expire(now, events);
    if (!priorityKept) this.resting = this.resting.filter((o) => o !== order);
    order.price = price;
    order.remaining = remaining;
    events.push(amended(this.market.symbol, order, quantity, priorityKept));
    this.matchAndSettle(order, now, events);
    return null;
  }

  private matchAndSettle(taker: RefOrder, now: number, events: EngineEvent[]): void {
    for (const maker of this.queue(taker.side === 'buy' ? 'sell' : 'buy')) {
      if (taker.remaining === 0) break;
      if (!reaches(taker.side, taker.price, maker.price as number)) break;
      const size = sizeBetween(taker, maker, now);
      if (size === 0) continue;
      if (maker.accountId !== taker.accountId) {
        this.trade(taker, maker, size, events);
        continue;
      }
      const mode = taker.selfTradePrevention;
      if (mode === 'cancel_oldest' || mode === 'cancel_both')
        this.close(maker, 'cancelled', 'self_trade_prevention', events);
      if (mode === 'cancel_newest' || mode === 'cancel_both')
        return this.close(taker, 'cancelled', 'self_trade_prevention', events);
      if (mode === 'decrement') {
        const cut = Math.min(taker.remaining, maker.remaining);
        this.decrement(maker, cut, events);
        if (!this.decrement(taker, cut, events)) return;
      }
    }
    const isResting = this.resting.includes(taker);
    if (taker.remaining === 0) this.close(taker, 'filled', 'filled', events);
    else if (isResting) return;
    else if (taker.price !== null && (taker.timeInForce === 'GTC' || taker.timeInForce === 'GTD')) {
      taker.seq = this.nextSeq++;
      this.resting.push(taker);
    } else this.close(taker, 'cancelled', 'ioc_remainder', events);
  }

  private trade(taker: RefOrder, maker: RefOrder, size: number, events: EngineEvent[]): void {
    events.push(trade(this.market.symbol, ++this.lastTradeId, taker, maker, size));
    for (const o of [maker, taker]) {
      o.remaining -= size;
      o.filled += size;
    }
    if (maker.remaining === 0) this.close(maker, 'filled', 'filled', events);
  }

  private decrement(order: RefOrder, cut: number, events: EngineEvent[]): boolean {
    if (cut === order.remaining || order.minQuantity !== null) {
      this.close(order, 'cancelled', 'self_trade_prevention', events);
      return false;
    }
    order.remaining -= cut;
    events.push(reduced(this.market.symbol, order, cut, order.remaining));
    return true;
  }

  /** Makers (own included) a taker could trade with now, ignoring orders that expire at `now`. */
  private tradeableMakers(taker: RefOrder, now: number): RefOrder[] {
    return this.queue(taker.side === 'buy' ? 'sell' : 'buy').filter(
      (m) =>
        !expiresBy(m, now) &&
        reaches(taker.side, taker.price, m.price as number) &&
        sizeBetween(taker, m, now) > 0,
    );
  }

  private fillsCompletely(taker: RefOrder, now: number): boolean {
    const probe = { ...taker };
    const makers = this.queue(taker.side === 'buy' ? 'sell' : 'buy');
    for (const maker of makers.filter((m) => reaches(taker.side, taker.price, m.price as number))) {
      const size = sizeBetween(probe, maker, now);
      if (size === 0) continue;
      if (maker.accountId === taker.accountId) {
        if (taker.selfTradePrevention === 'cancel_oldest') continue;
        break;
      }
      probe.remaining -= size;
      if (probe.remaining === 0) break;
    }
    return probe.remaining === 0;
  }

  private expire(now: number, events: EngineEvent[]): void {
    const due = this.resting
      .filter((o) => expiresBy(o, now))
      .sort((a, b) => (expiryOf(a) as number) - (expiryOf(b) as number) || a.id - b.id);
    for (const o of due) this.close(o, 'expired', expiryReason(o.expireAt, o.availableUntil), events);
  }

  private close(
    order: RefOrder,
    status: 'filled' | 'cancelled' | 'expired',
    reason: DoneReason,
    events: EngineEvent[],
  ): void {
    this.resting = this.resting.filter((o) => o !== order);
    events.push(done(this.market.symbol, order, status, reason, status === 'filled' ? 0 : order.remaining));
  }

  /** Resting orders of one side in priority order: best price first, then time. */
  private queue(side: Side): RefOrder[] {
    const sign = side === 'buy' ? -1 : 1;
    return this.resting
      .filter((o) => o.side === side)
      .sort((a, b) => sign * ((a.price as number) - (b.price as number)) || a.seq - b.seq);
  }

  private levelTotals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const o of this.resting) {
      const key = `${o.side}:${o.price}`;
      totals.set(key, (totals.get(key) ?? 0) + o.remaining);
    }
    return totals;
  }

  private publishLevels(before: Map<string, number>, events: EngineEvent[]): void {
    const after = this.levelTotals();
    const changed: LevelEvent[] = [];
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const quantity = after.get(key) ?? 0;
      if (quantity === (before.get(key) ?? 0)) continue;
      const [side, price] = key.split(':');
      changed.push({
        type: 'level',
        symbol: this.market.symbol,
        side: side as Side,
        price: Number(price),
        quantity,
        sequence: 0,
      });
    }
    if (changed.length === 0) return;
    this.sequence++;
    changed.sort((a, b) =>
      a.side !== b.side
        ? a.side === 'buy'
          ? -1
          : 1
        : a.side === 'buy'
          ? b.price - a.price
          : a.price - b.price,
    );
    for (const change of changed) events.push({ ...change, sequence: this.sequence });
  }
}

function expiryOf(o: RefOrder): number | null {
  return expiryTime(o.expireAt, o.availableUntil);
}

function expiresBy(o: RefOrder, now: number): boolean {
  const at = expiryOf(o);
  return at !== null && at <= now;
}

function sizeBetween(taker: RefOrder, maker: RefOrder, now: number): number {
  return taker.side === 'buy' ? fillSize(taker, maker, now) : fillSize(maker, taker, now);
}
