import Decimal from 'decimal.js';
import { MatchingEngine } from '../engine/matching-engine';
import { BookSnapshot, MarketSpec, RestingOrder } from '../engine/types';
import type { ProvisioningPolicy } from '../leases/lease-lifecycle';
import type { LeaseRecord } from '../leases/lease-record';
import type { MarketView } from '../markets/markets.service';
import { OrderRecord, remainingOf } from './order-record';
import { UNITS_PER_USD } from './price-units';

/** What the database holds that the in-memory state is rebuilt from. */
export interface PersistedState {
  markets: MarketView[];
  openOrders: OrderRecord[];
  lastTradeSeq: Map<string, number>;
  bookSequence: Map<string, number>;
  maxOrderId: number;
  maxPriority: number;
  /** Leases not yet ended: their GPUs stay committed to their cluster until they end. */
  liveLeases: LeaseRecord[];
  /** Every account's available balance (an account missing here has none). */
  available: Map<string, Decimal>;
  /** Buyers' SSH public keys, sent with the leases provisioned for them. */
  sshKeys: Map<string, string>;
}

/**
 * The single writer's memory: the matching engine with one book per market, every open order, every account's
 * available balance, and the GPUs each cluster has committed (offered in open sells, or leased). Only the order
 * writer touches it, one batch at a time, and every change to an available balance goes through it (deposits
 * too), so memory is as current as the database; it is rebuilt from the database at start, and after a batch
 * failed to commit (then memory may be ahead of the database, so it is thrown away).
 */
export class TradingState {
  readonly engine = new MatchingEngine();
  readonly markets = new Map<string, MarketView>();
  readonly open = new Map<number, OrderRecord>();
  readonly available: Map<string, Decimal>;
  readonly committedGpus = new Map<string, number>();
  readonly leases = new Map<string, LeaseRecord>();
  readonly sshKeys: Map<string, string>;
  /** `${accountId}:${clientOrderId}` of orders placed since this state was built. */
  readonly clientOrderIds = new Map<string, number>();
  nextOrderId: number;
  nextPriority: number;

  constructor(
    persisted: PersistedState,
    /** How a trade's lease gets its GPUs (the exchange's configuration). */
    readonly provisioning: ProvisioningPolicy,
  ) {
    this.nextOrderId = persisted.maxOrderId + 1;
    this.nextPriority = persisted.maxPriority + 1;
    this.available = new Map(persisted.available);
    this.sshKeys = new Map(persisted.sshKeys);
    for (const lease of persisted.liveLeases) {
      this.leases.set(lease.id, lease);
      this.commitGpus(lease.clusterId, lease.quantity);
    }
    const byMarket = new Map<string, OrderRecord[]>();
    for (const order of persisted.openOrders) {
      this.open.set(order.id, order);
      if (order.side === 'sell' && order.clusterId) this.commitGpus(order.clusterId, remainingOf(order));
      byMarket.set(order.symbol, [...(byMarket.get(order.symbol) ?? []), order]);
    }
    for (const market of persisted.markets) {
      this.markets.set(market.symbol, market);
      this.engine.restoreMarket(
        snapshotOf(
          engineSpec(market),
          byMarket.get(market.symbol) ?? [],
          persisted.bookSequence.get(market.symbol) ?? 0,
          persisted.lastTradeSeq.get(market.symbol) ?? 0,
        ),
      );
    }
  }

  /** Opens a book for a market added while running (a no-op if the state already has it). */
  addMarket(market: MarketView): void {
    if (this.markets.has(market.symbol)) return;
    this.markets.set(market.symbol, market);
    this.engine.addMarket(engineSpec(market));
  }

  availableOf(accountId: string): Decimal {
    return this.available.get(accountId) ?? new Decimal(0);
  }

  /** Money that reaches (or, negative, leaves) an account's available balance. */
  creditAvailable(accountId: string, amount: Decimal): void {
    this.available.set(accountId, this.availableOf(accountId).plus(amount));
  }

  commitGpus(clusterId: string, gpus: number): void {
    this.committedGpus.set(clusterId, (this.committedGpus.get(clusterId) ?? 0) + gpus);
  }
}

export function engineSpec(market: MarketView): MarketSpec {
  return {
    symbol: market.symbol,
    tickSize: new Decimal(market.tickSize).times(UNITS_PER_USD).toNumber(),
    lotSize: market.lotSize,
    minDurationHours: market.minDurationHours,
    maxDurationHours: market.maxDurationHours,
  };
}

export const toUnits = (price: Decimal): number => price.times(UNITS_PER_USD).toNumber();

/** A book snapshot from open orders: bids best first, then asks best first, time priority within a price. */
function snapshotOf(
  market: MarketSpec,
  orders: OrderRecord[],
  sequence: number,
  lastTradeId: number,
): BookSnapshot {
  const side = (s: 'buy' | 'sell') =>
    orders
      .filter((o) => o.side === s)
      .sort((a, b) => {
        const byPrice = (a.price as Decimal).comparedTo(b.price as Decimal) * (s === 'buy' ? -1 : 1);
        return byPrice !== 0 ? byPrice : a.priority - b.priority;
      });
  return {
    version: 1,
    market,
    sequence,
    lastTradeId,
    orders: [...side('buy'), ...side('sell')].map((o): RestingOrder => ({
      id: o.id,
      accountId: o.engineAccountId,
      side: o.side,
      price: toUnits(o.price as Decimal),
      quantity: o.quantity,
      filled: o.filled,
      durationHours: o.durationHours,
      availableUntil: o.availableUntil?.getTime() ?? null,
      minQuantity: o.minQuantity,
      timeInForce: o.timeInForce,
      expireAt: o.expireAt?.getTime() ?? null,
      postOnly: o.postOnly,
      selfTradePrevention: o.selfTradePrevention,
    })),
  };
}
