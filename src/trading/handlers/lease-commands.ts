import { findUnsafeInput, unsafeText } from '../../common/safe-input';
import type {
  ActivateLeaseCommand,
  FailLeaseCommand,
  InterruptLeaseCommand,
  LoseLeaseCommand,
  ReleaseLeaseCommand,
  VerifyLeaseCommand,
} from '../commands';
import { Outcome, refuse } from '../results';
import type { TradingState } from '../state/trading-state';
import type { AcceptanceChecks, LeaseSnapshot } from '../types';
import type { CommandContext } from './context';
import { activateLease, failLease, interruptLease, loseLease, releaseLease, verifyLease } from './leases';

/** What a cluster may hand over as access details (serialized). */
export const MAX_ACCESS_BYTES = 16 * 1024;
/** What an acceptance report may hold (serialized). */
export const MAX_CHECKS_BYTES = 16 * 1024;
/** A failure reason is kept to this many characters. */
export const MAX_REASON_LENGTH = 500;

/** The cluster set the lease up and runs its acceptance checks: `provisioning` becomes `verifying`. */
export function verify(
  state: TradingState,
  ctx: CommandContext,
  cmd: VerifyLeaseCommand,
): Outcome<'verifyLease'> {
  const lease = state.leases.get(cmd.leaseId);
  if (lease?.status === 'verifying') return { ok: true, value: { lease } };
  if (!lease || lease.status !== 'provisioning')
    return refuse('LEASE_NOT_PROVISIONING', `lease ${cmd.leaseId} is not provisioning`);
  const problem = accessProblem(cmd.access);
  if (problem) return refuse('INVALID_REQUEST', problem);
  return { ok: true, value: { lease: verifyLease(state, ctx, lease, cmd.access) } };
}

/**
 * The cluster handed the GPUs over. Saying `active` again about an active lease changes nothing (clusters
 * retry); about a lease no longer provisioning or verifying it is LEASE_NOT_PROVISIONING. Failed checks fail the
 * lease; no checks where the lease requires them fail it too.
 */
export function activate(
  state: TradingState,
  ctx: CommandContext,
  cmd: ActivateLeaseCommand,
): Outcome<'activateLease'> {
  const lease = state.leases.get(cmd.leaseId);
  if (lease?.status === 'active') return { ok: true, value: { lease } };
  if (!lease || (lease.status !== 'provisioning' && lease.status !== 'verifying'))
    return refuse('LEASE_NOT_PROVISIONING', `lease ${cmd.leaseId} is not provisioning`);
  const problem = (cmd.access && accessProblem(cmd.access)) || (cmd.checks && checksProblem(cmd.checks));
  if (problem) return refuse('INVALID_REQUEST', problem);
  const shortfall = cmd.checks ? checksShortfall(lease, cmd.checks) : null;
  if (shortfall) return { ok: true, value: { lease: failLease(state, ctx, lease, shortfall, cmd.checks) } };
  if (!cmd.checks && lease.requireChecks) {
    const reason = 'the cluster reported no acceptance checks, and the market requires them';
    return { ok: true, value: { lease: failLease(state, ctx, lease, reason) } };
  }
  return { ok: true, value: { lease: activateLease(state, ctx, lease, cmd.access, cmd.checks) } };
}

/** The cluster could not provision the lease, or its checks failed: it fails at once, with a full refund. */
export function fail(state: TradingState, ctx: CommandContext, cmd: FailLeaseCommand): Outcome<'failLease'> {
  const lease = state.leases.get(cmd.leaseId);
  if (!lease || (lease.status !== 'provisioning' && lease.status !== 'verifying'))
    return refuse('LEASE_NOT_PROVISIONING', `lease ${cmd.leaseId} is not provisioning`);
  const problem = unsafeText(cmd.reason) ?? (cmd.checks && checksProblem(cmd.checks));
  if (problem) return refuse('INVALID_REQUEST', `reason ${problem}`);
  const said = truncate(cmd.reason, MAX_REASON_LENGTH - 40);
  const reason = cmd.checks
    ? `the acceptance checks failed: ${said}`
    : `the cluster could not provision it: ${said}`;
  return { ok: true, value: { lease: failLease(state, ctx, lease, reason, cmd.checks) } };
}

/**
 * The cluster lost an active lease's GPUs: it ends now, the buyer pays for what was delivered and is credited
 * (README's formula). Before `active` this is a failure with a full refund.
 */
export function lose(state: TradingState, ctx: CommandContext, cmd: LoseLeaseCommand): Outcome<'loseLease'> {
  const lease = state.leases.get(cmd.leaseId);
  if (!lease) return refuse('LEASE_NOT_ACTIVE', `lease ${cmd.leaseId} has ended`);
  const problem = unsafeText(cmd.reason);
  if (problem) return refuse('INVALID_REQUEST', `reason ${problem}`);
  const reason = `the cluster lost the lease's GPUs: ${truncate(cmd.reason, MAX_REASON_LENGTH - 40)}`;
  if (lease.status !== 'active') return { ok: true, value: { lease: failLease(state, ctx, lease, reason) } };
  return { ok: true, value: { lease: loseLease(state, ctx, lease, reason) } };
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
  if (lease.status !== 'active') return refuse('LEASE_NOT_ACTIVE', `lease ${id} is still ${lease.status}`);
  return lease;
}

function accessProblem(access: Readonly<Record<string, unknown>>): string | null {
  const problem = findUnsafeInput(access, 'access');
  if (problem) return problem;
  if (JSON.stringify(access).length > MAX_ACCESS_BYTES)
    return `access is larger than ${MAX_ACCESS_BYTES} bytes`;
  return null;
}

function checksProblem(checks: AcceptanceChecks): string | null {
  const problem = findUnsafeInput(checks, 'checks');
  if (problem) return problem;
  if (typeof checks.passed !== 'boolean') return 'checks.passed must be true or false';
  if (!Number.isSafeInteger(checks.gpus) || checks.gpus < 0)
    return 'checks.gpus must be a whole number of GPUs';
  if (JSON.stringify(checks).length > MAX_CHECKS_BYTES)
    return `checks is larger than ${MAX_CHECKS_BYTES} bytes`;
  return null;
}

/** Why a report fails the lease: its checks did not pass, or it found fewer GPUs than the lease bought. */
function checksShortfall(lease: LeaseSnapshot, checks: AcceptanceChecks): string | null {
  const found =
    checks.gpus < lease.quantity ? `found ${checks.gpus} GPUs, the lease bought ${lease.quantity}` : null;
  if (!checks.passed) return `the acceptance checks failed${found ? `: they ${found}` : ''}`;
  return found && `the acceptance checks ${found}`;
}

/** At most `max` UTF-16 units, never cutting a surrogate pair in two. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.charCodeAt(max - 1) >= 0xd800 && text.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return text.slice(0, cut);
}
