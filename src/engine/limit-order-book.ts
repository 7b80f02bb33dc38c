import { BookOrder } from './book-order';
import { accepted, amended, done, reduced, rejected, trade } from './events';
import { ExpiryHeap } from './expiry-heap';
import { IdIndex } from './id-index';
import { bookProblems } from './limit-order-book.validate';
import { Level, PriceLadder } from './price-ladder';
import { expiryReason, fillSize, reaches } from './rules';
import { hashSnapshot } from './state-hash';
import {
  AmendCommand,
  BookSnapshot,
  CancelAllCommand,
  CancelCommand,
  Command,
  CommandResult,
  Depth,
  DoneReason,
  EngineEvent,
  MarketSpec,
  OrderBook,
  PlaceCommand,
  PriceLevel,
  Side,
} from './types';
import { REJECT, Rejection, validateAmend, validateEnvelope, validatePlace } from './validation';

/** The terms a taker is matched on; a BookOrder is one, and so is a probe for an amend under consideration. */
interface TakerTerms {
  side: Side;
  accountId: number;
  price: number | null;
  remaining: number;
  durationHours: number | null;
  availableUntil: number | null;
  minQuantity: number | null;
  selfTradePrevention: BookOrder['selfTradePrevention'];
}

/**
 * The fast order book: price levels in chunked sorted lists, FIFO lists threaded through the orders, a map from id to
 * order, an indexed expiry heap and per-account lists. Every cancel is O(1) in the level's size.
 *
 * Each command runs in two phases: checks that read but never write (a rejected command leaves the book exactly
 * as it was, expiries included), then time advances (expiring what is due) and the command executes.
 */
export class LimitOrderBook implements OrderBook {
  private readonly bids = new PriceLadder('buy');
  private readonly asks = new PriceLadder('sell');
  private readonly orders = new IdIndex<BookOrder>();
  /** Head of each account's list of open orders. */
  private readonly accountHeads = new Map<number, BookOrder>();
  private readonly expiries = new ExpiryHeap();
  /** Levels changed by the command being processed, in first-touch order. */
  private readonly touched: Level[] = [];
  private epoch = 0;
  private _sequence = 0;
  private _lastTradeId = 0;

  constructor(readonly market: MarketSpec) {}

  /**
   * Rebuilds a book from a snapshot in O(n): levels arrive best first and orders in FIFO order, so they are
   * appended as they come, and the expiry heap is built in one pass. Throws on a snapshot that is not one.
   */
  static restore(snapshot: BookSnapshot): LimitOrderBook {
    const book = new LimitOrderBook({ ...snapshot.market });
    book._sequence = snapshot.sequence;
    book._lastTradeId = snapshot.lastTradeId;
    const bestFirst: Record<Side, Level[]> = { buy: [], sell: [] };
    const expiring: BookOrder[] = [];
    let level: Level | null = null;
    for (const resting of snapshot.orders) {
      const order = BookOrder.fromResting(resting);
      if (level === null || level.side !== order.side || level.price !== order.price) {
        level = new Level(order.side, order.price as number);
        bestFirst[order.side].push(level);
      }
      level.append(order);
      book.index(order);
      if (order.expiresAt !== null) expiring.push(order);
    }
    book.bids.restoreLevels(bestFirst.buy);
    book.asks.restoreLevels(bestFirst.sell);
    book.expiries.build(expiring);
    if (book.orders.size !== snapshot.orders.length) throw new Error('snapshot repeats an order id');
    return book;
  }

  get sequence(): number {
    return this._sequence;
  }

  get lastTradeId(): number {
    return this._lastTradeId;
  }

  get orderCount(): number {
    return this.orders.size;
  }

  process(command: Command): CommandResult {
    const envelope = validateEnvelope(command);
    if (envelope) return rejected(command, envelope);
    this.epoch++;
    const events: EngineEvent[] = [];
    let rejection: Rejection | null = null;
    switch (command.kind) {
      case 'place':
        rejection = this.place(command, events);
        break;
      case 'cancel':
        rejection = this.cancel(command, events);
        break;
      case 'amend':
        rejection = this.amend(command, events);
        break;
      case 'cancelAll':
        this.cancelAll(command, events);
        break;
      case 'tick':
        this.expire(command.now, events);
        break;
    }
    if (rejection) return rejected(command, rejection);
    this.publishLevels(events);
    return { code: 'OK', events };
  }

  depth(levels = Number.MAX_SAFE_INTEGER): Depth {
    const side = (ladder: PriceLadder): PriceLevel[] =>
      ladder.bestFirst(levels).map((level): PriceLevel => [level.price, level.total]);
    return { sequence: this._sequence, bids: side(this.bids), asks: side(this.asks) };
  }

  snapshot(): BookSnapshot {
    const orders = [];
    for (const ladder of [this.bids, this.asks]) {
      for (const level of ladder.bestFirst()) {
        for (let o = level.head; o !== null; o = o.next) orders.push(o.toResting());
      }
    }
    return {
      version: 1,
      market: { ...this.market },
      sequence: this._sequence,
      lastTradeId: this._lastTradeId,
      orders,
    };
  }

  validate(): string[] {
    return bookProblems(this.market, [this.bids, this.asks], this.orders, this.accountHeads, this.expiries);
  }

  stateHash(): string {
    return hashSnapshot(this.snapshot());
  }

  // ---- commands ----

  private place(cmd: PlaceCommand, events: EngineEvent[]): Rejection | null {
    const problem = validatePlace(cmd, this.market);
    if (problem) return problem;
    if (this.orders.has(cmd.orderId)) return REJECT.duplicate;
    const order = BookOrder.fromPlace(cmd);
    if (order.postOnly && this.wouldInteract(order, cmd.now)) return REJECT.postOnly;

    this.expire(cmd.now, events);
    events.push(accepted(this.market.symbol, order));
    if (order.timeInForce === 'FOK' && this.fillable(order, cmd.now) < order.remaining) {
      events.push(done(this.market.symbol, order, 'cancelled', 'fok_not_filled', order.remaining));
      return null;
    }
    if (this.match(order, cmd.now, events)) this.settleTaker(order, events);
    return null;
  }

  private cancel(cmd: CancelCommand, events: EngineEvent[]): Rejection | null {
    const order = this.openOrder(cmd.orderId, cmd.now);
    if (order === null) return REJECT.notOpen;
    if (order.accountId !== cmd.accountId) return REJECT.foreign;
    this.expire(cmd.now, events);
    this.close(order, 'cancelled', 'cancelled_by_user', events);
    return null;
  }

  private amend(cmd: AmendCommand, events: EngineEvent[]): Rejection | null {
    const order = this.openOrder(cmd.orderId, cmd.now);
    if (order === null) return REJECT.notOpen;
    if (order.accountId !== cmd.accountId) return REJECT.foreign;
    const problem = validateAmend(cmd, this.market, order);
    if (problem) return problem;
    const oldQuantity = order.filled + order.remaining;
    const price = cmd.price ?? (order.price as number);
    const quantity = cmd.quantity ?? oldQuantity;
    const remaining = quantity - order.filled;
    const priorityKept = price === order.price && quantity <= oldQuantity;
    if (order.postOnly && this.wouldInteract({ ...termsOf(order), price, remaining }, cmd.now))
      return REJECT.postOnly;

    this.expire(cmd.now, events);
    if (priorityKept) {
      this.reduceResting(order, order.remaining - remaining);
    } else {
      this.detach(order);
      order.price = price;
      order.remaining = remaining;
    }
    events.push(amended(this.market.symbol, order, quantity, priorityKept));
    // A smaller remainder can make a minQuantity buy tradeable; a new price or size re-enters the book. Either
    // way the amended order is the one that acted, so it matches as the taker.
    if (this.match(order, cmd.now, events)) this.settleTaker(order, events);
    return null;
  }

  private cancelAll(cmd: CancelAllCommand, events: EngineEvent[]): void {
    this.expire(cmd.now, events);
    const mine: BookOrder[] = [];
    const side = cmd.side ?? null;
    for (let o = this.accountHeads.get(cmd.accountId) ?? null; o !== null; o = o.accountNext)
      if (side === null || o.side === side) mine.push(o);
    mine.sort((a, b) => a.id - b.id);
    for (const order of mine) this.close(order, 'cancelled', 'cancel_all', events);
  }

  /** Expires every order due at `now`, earliest first (ties by id). */
  private expire(now: number, events: EngineEvent[]): void {
    for (let top = this.expiries.peek(); top !== null && (top.expiresAt as number) <= now;) {
      this.close(top, 'expired', expiryReason(top.expireAt, top.availableUntil), events);
      top = this.expiries.peek();
    }
  }

  // ---- matching ----

  /**
   * Matches a taker against the other side, best level first, FIFO within a level. Orders it cannot trade with
   * (spot eligibility, minQuantity) are skipped and keep their place. Returns false when self-trade prevention
   * cancelled the taker.
   */
  private match(taker: BookOrder, now: number, events: EngineEvent[]): boolean {
    const ladder = taker.side === 'buy' ? this.asks : this.bids;
    for (
      let level = ladder.best();
      level !== null && taker.remaining > 0;
      level = ladder.nextWorse(level.price)
    ) {
      if (!reaches(taker.side, taker.price, level.price)) break;
      let maker = level.head;
      while (maker !== null && taker.remaining > 0) {
        const next = maker.next;
        const size = taker.side === 'buy' ? fillSize(taker, maker, now) : fillSize(maker, taker, now);
        if (size > 0) {
          if (maker.accountId !== taker.accountId) this.trade(taker, maker, size, events);
          else if (!this.preventSelfTrade(taker, maker, events)) return false;
        }
        maker = next;
      }
      // An emptied level has left the ladder; nextWorse finds the next one by price either way.
    }
    return true;
  }

  private trade(taker: BookOrder, maker: BookOrder, size: number, events: EngineEvent[]): void {
    events.push(trade(this.market.symbol, ++this._lastTradeId, taker, maker, size));
    this.reduceResting(maker, size);
    maker.filled += size;
    this.reduceResting(taker, size);
    taker.filled += size;
    if (maker.remaining === 0) this.close(maker, 'filled', 'filled', events);
  }

  /** The incoming order's mode decides. Returns whether the taker goes on matching. */
  private preventSelfTrade(taker: BookOrder, maker: BookOrder, events: EngineEvent[]): boolean {
    switch (taker.selfTradePrevention) {
      case 'cancel_oldest':
        this.close(maker, 'cancelled', 'self_trade_prevention', events);
        return true;
      case 'cancel_newest':
        this.close(taker, 'cancelled', 'self_trade_prevention', events);
        return false;
      case 'cancel_both':
        this.close(maker, 'cancelled', 'self_trade_prevention', events);
        this.close(taker, 'cancelled', 'self_trade_prevention', events);
        return false;
      case 'decrement': {
        const size = Math.min(taker.remaining, maker.remaining);
        this.decrement(maker, size, events);
        return this.decrement(taker, size, events);
      }
    }
  }

  /**
   * Takes `size` off an order without a trade. An order left with nothing is cancelled, and so is a buy with a
   * minQuantity: a smaller remainder would change which sells it can take. Returns whether the order survives.
   */
  private decrement(order: BookOrder, size: number, events: EngineEvent[]): boolean {
    if (size === order.remaining || order.minQuantity !== null) {
      this.close(order, 'cancelled', 'self_trade_prevention', events);
      return false;
    }
    this.reduceResting(order, size);
    events.push(reduced(this.market.symbol, order, size, order.remaining));
    return true;
  }

  /** After matching: a filled taker is done, a live limit GTC/GTD rests, anything else is cancelled. */
  private settleTaker(order: BookOrder, events: EngineEvent[]): void {
    if (order.remaining === 0) this.close(order, 'filled', 'filled', events);
    else if (order.level !== null) return;
    else if (order.price !== null && (order.timeInForce === 'GTC' || order.timeInForce === 'GTD'))
      this.rest(order);
    else this.close(order, 'cancelled', 'ioc_remainder', events);
  }

  /** Whether a taker would meet any order it could trade with, its own included (the post-only test). */
  private wouldInteract(taker: TakerTerms, now: number): boolean {
    const ladder = taker.side === 'buy' ? this.asks : this.bids;
    for (let level = ladder.best(); level !== null; level = ladder.nextWorse(level.price)) {
      if (!reaches(taker.side, taker.price, level.price)) break;
      for (let maker = level.head; maker !== null; maker = maker.next) {
        if (!expiresBy(maker, now) && pairSize(taker, maker, now) > 0) return true;
      }
    }
    return false;
  }

  /** How much a FOK taker would fill if it matched now, stopping where self-trade prevention would cut it. */
  private fillable(taker: BookOrder, now: number): number {
    const probe = termsOf(taker);
    const ladder = taker.side === 'buy' ? this.asks : this.bids;
    for (
      let level = ladder.best();
      level !== null && probe.remaining > 0;
      level = ladder.nextWorse(level.price)
    ) {
      if (!reaches(taker.side, taker.price, level.price)) break;
      for (let maker = level.head; maker !== null && probe.remaining > 0; maker = maker.next) {
        const size = pairSize(probe, maker, now);
        if (size === 0) continue;
        if (maker.accountId !== taker.accountId) probe.remaining -= size;
        else if (taker.selfTradePrevention !== 'cancel_oldest') return taker.remaining - probe.remaining;
      }
    }
    return taker.remaining - probe.remaining;
  }

  // ---- book structure ----

  private openOrder(id: number, now: number): BookOrder | null {
    const order = this.orders.get(id);
    return order === undefined || expiresBy(order, now) ? null : order;
  }

  private rest(order: BookOrder): void {
    const level = (order.side === 'buy' ? this.bids : this.asks).levelAt(order.price as number);
    this.touch(level);
    level.append(order);
    this.index(order);
    if (order.expiresAt !== null) this.expiries.push(order);
  }

  /** Adds a resting order to the id map and to its account's list (second place, so the head rarely changes). */
  private index(order: BookOrder): void {
    this.orders.set(order.id, order);
    const head = this.accountHeads.get(order.accountId);
    if (head === undefined) {
      order.accountPrev = order.accountNext = null;
      this.accountHeads.set(order.accountId, order);
      return;
    }
    order.accountPrev = head;
    order.accountNext = head.accountNext;
    if (head.accountNext !== null) head.accountNext.accountPrev = order;
    head.accountNext = order;
  }

  /** Takes an order out of every structure (a no-op for an order that is not resting). */
  private detach(order: BookOrder): void {
    const level = order.level;
    if (level === null) return;
    this.touch(level);
    level.unlink(order);
    if (level.count === 0) (order.side === 'buy' ? this.bids : this.asks).remove(level);
    this.orders.delete(order.id);
    const { accountPrev: prev, accountNext: next } = order;
    if (prev !== null) prev.accountNext = next;
    else if (next !== null) this.accountHeads.set(order.accountId, next);
    else this.accountHeads.delete(order.accountId);
    if (next !== null) next.accountPrev = prev;
    order.accountPrev = order.accountNext = null;
    this.expiries.remove(order);
  }

  /** The order leaves the book (if it was in it) and is done. */
  private close(
    order: BookOrder,
    status: 'filled' | 'cancelled' | 'expired',
    reason: DoneReason,
    events: EngineEvent[],
  ) {
    this.detach(order);
    events.push(done(this.market.symbol, order, status, reason, status === 'filled' ? 0 : order.remaining));
  }

  private reduceResting(order: BookOrder, size: number): void {
    if (order.level !== null) {
      this.touch(order.level);
      order.level.total -= size;
    }
    order.remaining -= size;
  }

  private touch(level: Level): void {
    if (level.touchedEpoch === this.epoch) return;
    level.touchedEpoch = this.epoch;
    level.totalBefore = level.total;
    this.touched.push(level);
  }

  /** One level event per changed (side, price), bids then asks, best first; the sequence grows once if any. */
  private publishLevels(events: EngineEvent[]): void {
    const touched = this.touched;
    if (touched.length === 0) return;
    if (touched.length > 1) touched.sort(byPriority);
    const sequence = this._sequence + 1;
    for (let i = 0; i < touched.length; i++) {
      const first = touched[i];
      // A level emptied and re-created in one command appears twice, adjacent after the stable sort.
      while (
        i + 1 < touched.length &&
        touched[i + 1].side === first.side &&
        touched[i + 1].price === first.price
      ) {
        i++;
      }
      const last = touched[i];
      if (last.total === first.totalBefore) continue;
      this._sequence = sequence;
      events.push({
        type: 'level',
        symbol: this.market.symbol,
        side: first.side,
        price: first.price,
        quantity: last.total,
        sequence,
      });
    }
    while (touched.length > 0) touched.pop();
  }
}

function byPriority(a: Level, b: Level): number {
  if (a.side !== b.side) return a.side === 'buy' ? -1 : 1;
  return a.side === 'buy' ? b.price - a.price : a.price - b.price;
}

function expiresBy(order: BookOrder, now: number): boolean {
  return order.expiresAt !== null && order.expiresAt <= now;
}

function termsOf(order: BookOrder): TakerTerms {
  return {
    side: order.side,
    accountId: order.accountId,
    price: order.price,
    remaining: order.remaining,
    durationHours: order.durationHours,
    availableUntil: order.availableUntil,
    minQuantity: order.minQuantity,
    selfTradePrevention: order.selfTradePrevention,
  };
}

function pairSize(taker: TakerTerms, maker: BookOrder, now: number): number {
  return taker.side === 'buy' ? fillSize(taker, maker, now) : fillSize(maker, taker, now);
}
