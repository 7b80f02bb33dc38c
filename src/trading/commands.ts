import type { SelfTradePrevention, Side, TimeInForce } from '../engine/types';
import type { AcceptanceChecks, ClusterTerms, MarketTerms, Trader } from './types';

/**
 * Everything that changes the exchange's trading state, as data: the single writer runs these, one after the
 * other, through `TradingCore.execute(command, now)`. Services build commands and read results; they never touch
 * the state. Time is not in the command: the writer stamps it when it runs the command, and the journal of
 * committed commands keeps both.
 */
export type TradingCommand =
  | PlaceCommand
  | CancelCommand
  | AmendCommand
  | CancelAllCommand
  | DepositCommand
  | SetSshKeyCommand
  | VerifyLeaseCommand
  | ActivateLeaseCommand
  | FailLeaseCommand
  | LoseLeaseCommand
  | ReleaseLeaseCommand
  | InterruptLeaseCommand
  | AddMarketCommand
  | TickCommand;

/** A new order, parsed at the edge: prices in engine units, times in ms. */
export interface NewOrder {
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'limit' | 'market';
  readonly price: number | null;
  readonly quantity: number;
  readonly durationHours: number | null;
  readonly availableUntil: number | null;
  readonly minQuantity: number | null;
  readonly timeInForce: TimeInForce | null;
  readonly expireAt: number | null;
  readonly postOnly: boolean;
  readonly selfTradePrevention: SelfTradePrevention | null;
}

export interface PlaceCommand {
  readonly kind: 'place';
  readonly trader: Trader;
  readonly order: NewOrder;
  /** Sells: the seller's cluster offering the GPUs (checked to be the seller's by the caller). */
  readonly cluster: ClusterTerms | null;
}

/** The sides of the book the caller's key may act on (its `trade` scope: buys; `sell`: sells). */
export type Sides = readonly Side[];

export interface CancelCommand {
  readonly kind: 'cancel';
  readonly accountId: string;
  readonly orderId: number;
  readonly sides: Sides;
}

/** `quantity` is the new total (filled part included); `price` in engine units. */
export interface AmendCommand {
  readonly kind: 'amend';
  readonly accountId: string;
  readonly orderId: number;
  readonly quantity: number | null;
  readonly price: number | null;
  readonly sides: Sides;
}

/** Cancels the account's open orders on the sides its key may act on. */
export interface CancelAllCommand {
  readonly kind: 'cancelAll';
  readonly trader: Trader;
  readonly symbol: string | null;
  readonly sides: Sides;
}

/** Money an admin credits to an account's available balance (a decimal string of USD). */
export interface DepositCommand {
  readonly kind: 'deposit';
  readonly accountId: string;
  readonly amount: string;
}

/** The buyer's SSH public key sent with the leases provisioned for it from now on (null removes it). */
export interface SetSshKeyCommand {
  readonly kind: 'setSshKey';
  readonly accountId: string;
  readonly key: string | null;
}

/** The seller's cluster set the lease up and is running its acceptance checks on it. */
export interface VerifyLeaseCommand {
  readonly kind: 'verifyLease';
  readonly leaseId: string;
  readonly access: Readonly<Record<string, unknown>>;
}

/** The seller's cluster handed the GPUs over, with its acceptance report when it ran checks. */
export interface ActivateLeaseCommand {
  readonly kind: 'activateLease';
  readonly leaseId: string;
  /** null: keep what `verifyLease` recorded (or none). */
  readonly access: Readonly<Record<string, unknown>> | null;
  readonly checks: AcceptanceChecks | null;
}

/** The seller's cluster could not provision the lease (or its checks failed: then the report comes along). */
export interface FailLeaseCommand {
  readonly kind: 'failLease';
  readonly leaseId: string;
  readonly reason: string;
  readonly checks: AcceptanceChecks | null;
}

/** The seller's cluster lost the lease's GPUs mid-lease (nodes drained, down, or taken back early). */
export interface LoseLeaseCommand {
  readonly kind: 'loseLease';
  readonly leaseId: string;
  readonly reason: string;
}

/** The buyer hands the GPUs back early. */
export interface ReleaseLeaseCommand {
  readonly kind: 'releaseLease';
  readonly accountId: string;
  readonly leaseId: string;
}

/** The seller takes the GPUs back after the market's notice (interruptible markets). */
export interface InterruptLeaseCommand {
  readonly kind: 'interruptLease';
  readonly accountId: string;
  readonly leaseId: string;
}

/** Opens a book for a market an admin added. */
export interface AddMarketCommand {
  readonly kind: 'addMarket';
  readonly market: MarketTerms;
}

/** Time passes: expiries fire in every book; leases whose time, notice or deadline is up end and settle. */
export interface TickCommand {
  readonly kind: 'tick';
}

export type CommandKind = TradingCommand['kind'];
