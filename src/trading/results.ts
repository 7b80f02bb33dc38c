import type { ErrorCode } from '../common/domain-error';
import type { CommandKind } from './commands';
import type { LeaseSnapshot, OrderSnapshot } from './types';

/** Why the core refused a command. A refused command changed nothing and produced no events. */
export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
}

/** A new order, or (a repeated clientOrderId) the id of the order this account placed with it earlier. */
export type PlaceResult = { readonly order: OrderSnapshot } | { readonly earlierOrderId: number };

/** What each kind of command answers when it succeeds. */
export interface ResultOf {
  place: PlaceResult;
  cancel: { readonly order: OrderSnapshot };
  amend: { readonly order: OrderSnapshot };
  cancelAll: { readonly orders: readonly OrderSnapshot[] };
  deposit: Record<string, never>;
  setSshKey: Record<string, never>;
  verifyLease: { readonly lease: LeaseSnapshot };
  activateLease: { readonly lease: LeaseSnapshot };
  failLease: { readonly lease: LeaseSnapshot };
  loseLease: { readonly lease: LeaseSnapshot };
  releaseLease: { readonly lease: LeaseSnapshot };
  interruptLease: { readonly lease: LeaseSnapshot };
  addMarket: Record<string, never>;
  tick: Record<string, never>;
}

export type Outcome<K extends CommandKind = CommandKind> =
  { readonly ok: true; readonly value: ResultOf[K] } | ({ readonly ok: false } & Rejection);

export const refuse = (code: ErrorCode, message: string): { ok: false } & Rejection => ({
  ok: false,
  code,
  message,
});

export const NOTHING: Record<string, never> = {};
