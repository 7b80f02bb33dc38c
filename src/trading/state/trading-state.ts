import type { MatchingEngine } from '../../engine/matching-engine';
import type { Balances } from './balances';
import type { ClusterCapacity } from './cluster-capacity';
import type { LiveLeases } from './live-leases';
import type { Markets } from './markets';
import type { OpenOrders } from './open-orders';
import type { SshKeys } from './ssh-keys';

/**
 * The single writer's memory, in focused parts: the books (one per market, in the matching engine), the open
 * orders, the available balances, the clusters' committed GPUs, the live leases and the buyers' SSH keys. Only
 * the core's handlers change them, one command at a time.
 */
export interface TradingState {
  readonly markets: Markets;
  readonly engine: MatchingEngine;
  readonly orders: OpenOrders;
  readonly balances: Balances;
  readonly capacity: ClusterCapacity;
  readonly leases: LiveLeases;
  readonly sshKeys: SshKeys;
}
