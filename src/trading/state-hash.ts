import { Digest } from '../engine/state-hash';
import type { TradingState } from './state/trading-state';
import type { LeaseSnapshot, OrderSnapshot } from './types';

const text = (d: Digest, value: string | null) => d.text(value === null ? '\u0000null' : value);

function mixOrder(d: Digest, o: OrderSnapshot): void {
  for (const value of [o.id, o.engineAccountId, o.price, o.holdPrice, o.quantity, o.filled, o.durationHours])
    d.int(value);
  for (const value of [o.availableUntil, o.minQuantity, o.expireAt, o.priority, o.createdAt, o.updatedAt])
    d.int(value);
  for (const value of [o.accountId, o.clientOrderId, o.symbol, o.side, o.type, o.filledValue.toFixed()])
    text(d, value);
  for (const value of [
    o.timeInForce,
    String(o.postOnly),
    o.selfTradePrevention,
    o.clusterId,
    o.status,
    o.reason,
  ])
    text(d, value);
}

function mixLease(d: Digest, l: LeaseSnapshot): void {
  for (const value of [
    l.quantity,
    l.price,
    l.durationHours,
    l.feeBps,
    l.creditBps,
    l.activateBy,
    l.startAt,
    l.endAt,
    l.provisionDeadline,
  ])
    d.int(value);
  for (const value of [l.interruptAt, l.endedAt, l.createdAt, l.updatedAt]) d.int(value);
  for (const value of [
    l.id,
    l.tradeId,
    l.symbol,
    l.buyerId,
    l.sellerId,
    l.clusterId,
    l.status,
    l.failureReason,
  ])
    text(d, value);
  text(d, l.access === null ? null : JSON.stringify(l.access));
  text(d, l.checks === null ? null : JSON.stringify(l.checks));
  d.int(l.requireChecks ? 1 : 0);
  for (const value of [l.paid, l.fee, l.refunded, l.credited]) text(d, value?.toFixed() ?? null);
}

/**
 * A deterministic digest of the whole trading state: every book (the engine's own hash), every open order and
 * live lease with all their fields, the balances, the clusters' committed GPUs, the SSH keys and the counters.
 * Replaying the same commands from the same state gives the same digest.
 */
export function tradingStateHash(state: TradingState): string {
  const d = new Digest();
  for (const symbol of [...state.engine.symbols].sort()) {
    text(d, symbol);
    text(d, state.engine.book(symbol)?.stateHash() ?? null);
  }
  const orders = [...state.orders.values()].sort((a, b) => a.id - b.id);
  d.int(orders.length);
  for (const order of orders) mixOrder(d, order);
  for (const value of state.orders.counters()) d.int(value);
  const leases = state.leases.sorted();
  d.int(leases.length);
  for (const lease of leases) mixLease(d, lease);
  for (const [account, amount] of state.balances.entries()) {
    text(d, account);
    text(d, amount.toFixed());
  }
  text(d, state.balances.totalDeposited.toFixed());
  for (const [cluster, committed] of state.capacity.entries()) {
    text(d, cluster);
    d.int(committed);
  }
  for (const [account, key] of state.sshKeys.entries()) {
    text(d, account);
    text(d, key);
  }
  return d.hex();
}
