import { findUnsafeInput } from '../common/safe-input';
import type { ProvisioningOutcome } from './provisioning.service';

/**
 * A `200` answer: `{"status":"active","access":{...}}` or `{"status":"failed","reason":"..."}`. An answer that
 * carries what the database cannot store as sent (NUL, lone surrogates) is no answer: it is asked again.
 */
export function outcomeOf(body: unknown): ProvisioningOutcome | null {
  if (typeof body !== 'object' || body === null || findUnsafeInput(body) !== null) return null;
  const answer = body as { status?: unknown; access?: unknown; reason?: unknown };
  if (answer.status === 'active') {
    const access = answer.access;
    return {
      status: 'active',
      access:
        typeof access === 'object' && access !== null && !Array.isArray(access)
          ? (access as Record<string, unknown>)
          : {},
    };
  }
  if (answer.status === 'failed')
    return {
      status: 'failed',
      reason: typeof answer.reason === 'string' ? answer.reason : 'no reason given',
    };
  return null;
}
