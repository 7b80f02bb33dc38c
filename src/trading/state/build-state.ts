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
  readonly markets: readonly MarketTerms[];
  /** Each book's sequence and its last trade's number. */
  readonly books: ReadonlyMap<string, { sequence: number; lastTradeId: number }>;
  readonly nextOrderId: number;
  readonly nextPriority: number;
  readonly liveLeases: readonly LeaseSnapshot[];
  /** Every account's available balance (an account missing here has none). */
  readonly available: Map<string, Decimal>;
  /** Money deposited so far. */
  readonly deposited: Decimal;
  /** Every cluster's `gpuCount`. */
  readonly clusterSizes: ReadonlyMap<string, number>;
  readonly sshKeys: Map<string, string>;
  /** The latest orders with a clientOrderId, oldest first (at most CLIENT_ORDER_RECALL). */
  readonly recentClientOrders: readonly Pick<OrderSnapshot, 'id' | 'accountId' | 'clientOrderId'>[];
}

/**
 * Rebuilds the trading state in one pass: open orders arrive one at a time, in any order (a loader streams
 * them), and `build` sorts each side of each book once and restores the books from that, so the whole rebuild is
 * O(n log n) at worst and holds each order once.
 */
export class TradingStateBuilder {
  private readonly sides = new Map<string, { buy: OrderSnapshot[]; sell: OrderSnapshot[] }>();

  constructor(private readonly markets: readonly MarketTerms[]) {
    for (const market of markets) this.sides.set(market.symbol, { buy: [], sell: [] });
  }

  addOrder(order: OrderSnapshot): void {
    const sides = this.sides.get(order.symbol);
    if (!sides) throw new Error(`open order ${order.id} is in unknown market ${order.symbol}`);
    sides[order.side].push(order);
  }

  build(parts: PersistedParts): TradingState {
    const markets = new Markets(this.markets);
    const engine = new MatchingEngine();
    const orders = new OpenOrders(parts.nextOrderId, parts.nextPriority);
    const capacity = new ClusterCapacity(
      new Map([...parts.clusterSizes].map(([id, gpuCount]) => [id, { gpuCount, committed: 0 }])),
    );
    for (const market of this.markets) {
      const { buy, sell } = this.sides.get(market.symbol) as { buy: OrderSnapshot[]; sell: OrderSnapshot[] };
      buy.sort((a, b) => (b.price as number) - (a.price as number) || a.priority - b.priority);
      sell.sort((a, b) => (a.price as number) - (b.price as number) || a.priority - b.priority);
      const resting: RestingOrder[] = [];
      for (const order of [...buy, ...sell]) {
        orders.put(order);
        if (order.side === 'sell' && order.clusterId)
          capacity.commit(order.clusterId, order.quantity - order.filled);
        resting.push(restingOf(order));
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
    for (const lease of parts.liveLeases) capacity.commit(lease.clusterId, lease.quantity);
    for (const order of parts.recentClientOrders) orders.remember(order);
    return {
      markets,
      engine,
      orders,
      balances: new Balances(parts.available, parts.deposited),
      capacity,
      leases: new LiveLeases(parts.liveLeases),
      sshKeys: new SshKeys(parts.sshKeys),
    };
  }
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
