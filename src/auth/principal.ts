import type { Scope } from './api-keys';

/** Who is calling: an account through one of its keys, or the admin bootstrap key (no account). */
export interface Principal {
  accountId: string | null;
  /** The account's integer id in the matching engine. */
  engineAccountId: number | null;
  scopes: Scope[];
}
