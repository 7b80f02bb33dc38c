import type { Scope } from './api-keys';

/** Who is calling: an account through one of its keys, or the admin bootstrap key (no account, no key id). */
export interface Principal {
  accountId: string | null;
  /** The account's integer id in the matching engine. */
  engineAccountId: number | null;
  /** The API key used (its id, never the key itself); null for the admin bootstrap key. */
  keyId: string | null;
  scopes: Scope[];
  /** When the key stops working (ms since the epoch, wall clock), or null. */
  expiresAt: number | null;
}
