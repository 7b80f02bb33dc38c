import type Decimal from 'decimal.js';
import { MatchingEngine } from '../../engine/matching-engine';
import type { MarketSpec, RestingOrder } from '../../engine/types';
import type { LeaseSnapshot, MarketTerms, OrderSnapshot } from '../types';
import { Balances } from './balances';
import { ClusterCapacity } from './cluster-capacity';
import { LiveLeases } from './live-leases';
import { Markets } from './markets';
import { OpenOrders } from './open-orders';
import { SshKeys } from './ssh-keys';
import type { TradingState } from './trading-state';

/** What the database holds besides the open orders, to rebuild the trading state from. */
export interface PersistedParts {
  /** Each book's sequence and its last trade's number. */
  readonly books: ReadonlyMap<string, { sequence: number; lastTradeId: number }>;
  readonly liveLeases: readonly LeaseSnapshot[];
  /** Every account's available balance (an account missing here has none). */
  readonly available: Map<string, Decimal>;
  /** Money deposited so far. */
  readonly deposited: Decimal;
  /** Every cluster's `gpuCount`. */
  readonly clusterSizes: ReadonlyMap<string, number>;
  readonly sshKeys: Map<string, string>;
  /** The latest orders with a clientOrderId, oldest first (see CLIENT_ORDER_RECALL). */
  readonly recentClientOrders: readonly Pick<OrderSnapshot, 'id' | 'accountId' | 'clientOrderId'>[];
}

/** One side of a book while it is rebuilt: its orders by price, in the order they arrived. */
type SideLevels = Map<number, OrderSnapshot[]>;

/**
 * Rebuilds the trading state in one pass: open orders arrive one at a time, in any order (a loader streams
 * them), each taking its place among the open orders and in its price level as it comes; `build` then orders
 * each side's levels (few), and each level by time priority (a level arrives in that order unless orders were
 * amended, so this is a check, not a sort, in the usual case), and restores every book in O(n).
 */
export class TradingStateBuilder {
  private readonly books = new Map<string, { buy: SideLevels; sell: SideLevels }>();
  private readonly orders: OpenOrders;
  /** GPUs open sells commit, per cluster. */
  private readonly offered = new Map<string, number>();

  constructor(
    private readonly markets: readonly MarketTerms[],
    counters: { nextOrderId: number; nextPriority: number },
  ) {
    for (const market of markets) this.books.set(market.symbol, { buy: new Map(), sell: new Map() });
    this.orders = new OpenOrders(counters.nextOrderId, counters.nextPriority);
  }

  addOrder(order: OrderSnapshot): void {
    const book = this.books.get(order.symbol);
    if (!book) throw new Error(`open order ${order.id} is in unknown market ${order.symbol}`);
    const levels = book[order.side];
    const level = levels.get(order.price as number);
    if (level) level.push(order);
    else levels.set(order.price as number, [order]);
    this.orders.put(order);
    if (order.side === 'sell' && order.clusterId)
      this.offered.set(
        order.clusterId,
        (this.offered.get(order.clusterId) ?? 0) + order.quantity - order.filled,
      );
  }

  build(parts: PersistedParts): TradingState {
    const markets = new Markets(this.markets);
    const engine = new MatchingEngine();
    for (const market of this.markets) {
      const { buy, sell } = this.books.get(market.symbol) as { buy: SideLevels; sell: SideLevels };
      const resting: RestingOrder[] = [];
      for (const [levels, bestFirst] of [
        [buy, (a: number, b: number) => b - a],
        [sell, (a: number, b: number) => a - b],
      ] as const) {
        for (const price of [...levels.keys()].sort(bestFirst)) {
          const level = levels.get(price) as OrderSnapshot[];
          if (!inPriorityOrder(level)) level.sort((a, b) => a.priority - b.priority);
          for (const order of level) resting.push(restingOf(order));
        }
      }
      const book = parts.books.get(market.symbol) ?? { sequence: 0, lastTradeId: 0 };
      engine.restoreMarket({
        version: 1,
        market: markets.spec(market.symbol) as MarketSpec,
        sequence: book.sequence,
        lastTradeId: book.lastTradeId,
        orders: resting,
      });
    }
    const capacity = new ClusterCapacity(
      new Map([...parts.clusterSizes].map(([id, gpuCount]) => [id, { gpuCount, committed: 0 }])),
    );
    for (const [clusterId, gpus] of this.offered) capacity.commit(clusterId, gpus);
    for (const lease of parts.liveLeases) capacity.commit(lease.clusterId, lease.quantity);
    for (const order of parts.recentClientOrders) this.orders.remember(order);
    return {
      markets,
      engine,
      orders: this.orders,
      balances: new Balances(parts.available, parts.deposited),
      capacity,
      leases: new LiveLeases(parts.liveLeases),
      sshKeys: new SshKeys(parts.sshKeys),
    };
  }
}

function inPriorityOrder(level: OrderSnapshot[]): boolean {
  for (let i = 1; i < level.length; i++) if (level[i - 1].priority > level[i].priority) return false;
  return true;
}

function restingOf(o: OrderSnapshot): RestingOrder {
  return {
    id: o.id,
    accountId: o.engineAccountId,
    side: o.side,
    price: o.price as number,
    quantity: o.quantity,
    filled: o.filled,
    durationHours: o.durationHours,
    availableUntil: o.availableUntil,
    minQuantity: o.minQuantity,
    timeInForce: o.timeInForce,
    expireAt: o.expireAt,
    postOnly: o.postOnly,
    selfTradePrevention: o.selfTradePrevention,
  };
}
