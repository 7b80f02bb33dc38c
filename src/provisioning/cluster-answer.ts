import { findUnsafeInput } from '../common/safe-input';
import type { AcceptanceChecks } from '../trading/types';
import type { ProvisioningOutcome } from './provisioning.service';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The acceptance report an answer or callback carries (`checks`), or null when there is none. Its shape is
 * checked by the core (`passed` true or false, `gpus` a whole number): a malformed report is refused there.
 */
export const checksOf = (body: { checks?: unknown }): AcceptanceChecks | null =>
  isObject(body.checks) ? (body.checks as AcceptanceChecks) : null;

/** A report that says whether it passed and how many GPUs it found (what an inventory's `checks` must be). */
export const isReport = (checks: AcceptanceChecks | null): checks is AcceptanceChecks =>
  checks !== null &&
  typeof checks.passed === 'boolean' &&
  Number.isSafeInteger(checks.gpus) &&
  checks.gpus >= 0;

/**
 * What a cluster said, in a `200` answer or a signed callback: `{"status":"active","access":{...},"checks"?}`,
 * `{"status":"verifying","access":{...}}` (set up, checks running: the result follows in a callback),
 * `{"status":"failed","reason":"...","checks"?}`, or, about an active lease, `{"status":"lost","reason":"..."}`.
 * An answer that carries what the database cannot store as sent (NUL, lone surrogates) is no answer: it is asked
 * again.
 */
export function outcomeOf(body: unknown): ProvisioningOutcome | null {
  if (!isObject(body) || findUnsafeInput(body) !== null) return null;
  const access = isObject(body.access) ? body.access : null;
  const reason = typeof body.reason === 'string' ? body.reason : 'no reason given';
  switch (body.status) {
    case 'active':
      return { status: 'active', access, checks: checksOf(body) };
    case 'verifying':
      return { status: 'verifying', access: access ?? {} };
    case 'failed':
      return { status: 'failed', reason, checks: checksOf(body) };
    case 'lost':
      return { status: 'lost', reason };
    default:
      return null;
  }
}
