import { findUnsafeInput, unsafeText } from '../../common/safe-input';
import type {
  ActivateLeaseCommand,
  FailLeaseCommand,
  InterruptLeaseCommand,
  ReleaseLeaseCommand,
} from '../commands';
import { Outcome, refuse } from '../results';
import type { TradingState } from '../state/trading-state';
import type { LeaseSnapshot } from '../types';
import type { CommandContext } from './context';
import { activateLease, failLease, interruptLease, releaseLease } from './leases';

/** What a cluster may hand over as access details (serialized). */
export const MAX_ACCESS_BYTES = 16 * 1024;
/** A failure reason is kept to this many characters. */
export const MAX_REASON_LENGTH = 500;

/**
 * The cluster handed the GPUs over. Saying `active` again about an active lease changes nothing (clusters
 * retry); about a lease no longer provisioning it is LEASE_NOT_PROVISIONING.
 */
export function activate(
  state: TradingState,
  ctx: CommandContext,
  cmd: ActivateLeaseCommand,
): Outcome<'activateLease'> {
  const lease = state.leases.get(cmd.leaseId);
  if (lease?.status === 'active') return { ok: true, value: { lease } };
  if (!lease || lease.status !== 'provisioning')
    return refuse('LEASE_NOT_PROVISIONING', `lease ${cmd.leaseId} is not provisioning`);
  const problem = findUnsafeInput(cmd.access, 'access');
  if (problem) return refuse('INVALID_REQUEST', problem);
  if (JSON.stringify(cmd.access).length > MAX_ACCESS_BYTES)
    return refuse('INVALID_REQUEST', `access is larger than ${MAX_ACCESS_BYTES} bytes`);
  return { ok: true, value: { lease: activateLease(state, ctx, lease, cmd.access) } };
}

/** The cluster could not provision the lease: it fails at once, with a full refund. */
export function fail(state: TradingState, ctx: CommandContext, cmd: FailLeaseCommand): Outcome<'failLease'> {
  const lease = state.leases.get(cmd.leaseId);
  if (!lease || lease.status !== 'provisioning')
    return refuse('LEASE_NOT_PROVISIONING', `lease ${cmd.leaseId} is not provisioning`);
  const problem = unsafeText(cmd.reason);
  if (problem) return refuse('INVALID_REQUEST', `reason ${problem}`);
  const reason = `the cluster could not provision it: ${truncate(cmd.reason, MAX_REASON_LENGTH - 40)}`;
  return { ok: true, value: { lease: failLease(state, ctx, lease, reason) } };
}

/** The buyer ends the lease early; a firm lease is still paid in full. */
export function release(
  state: TradingState,
  ctx: CommandContext,
  cmd: ReleaseLeaseCommand,
): Outcome<'releaseLease'> {
  const lease = activeLease(state, cmd.leaseId);
  if ('code' in lease) return lease;
  if (lease.buyerId !== cmd.accountId) return refuse('FORBIDDEN', 'only the buyer releases a lease');
  return { ok: true, value: { lease: releaseLease(state, ctx, lease) } };
}

/** The seller takes the GPUs back after the market's notice period (interruptible markets only). */
export function interrupt(
  state: TradingState,
  ctx: CommandContext,
  cmd: InterruptLeaseCommand,
): Outcome<'interruptLease'> {
  const lease = activeLease(state, cmd.leaseId);
  if ('code' in lease) return lease;
  if (lease.sellerId !== cmd.accountId) return refuse('FORBIDDEN', 'only the seller interrupts a lease');
  const market = state.markets.get(lease.symbol);
  if (market?.leaseClass !== 'int')
    return refuse('INVALID_REQUEST', `${lease.symbol} is a firm market: its leases cannot be interrupted`);
  if (lease.interruptAt !== null) return refuse('CONFLICT', 'the lease is already being interrupted');
  return { ok: true, value: { lease: interruptLease(state, ctx, lease, market.noticeMinutes) } };
}

/** Release and interrupt apply to a lease whose GPUs the buyer has (not one still provisioning, or over). */
function activeLease(state: TradingState, id: string): LeaseSnapshot | ReturnType<typeof refuse> {
  const lease = state.leases.get(id);
  if (!lease) return refuse('LEASE_NOT_ACTIVE', `lease ${id} has ended`);
  if (lease.status !== 'active') return refuse('LEASE_NOT_ACTIVE', `lease ${id} is still provisioning`);
  return lease;
}

/** At most `max` UTF-16 units, never cutting a surrogate pair in two. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.charCodeAt(max - 1) >= 0xd800 && text.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return text.slice(0, cut);
}
