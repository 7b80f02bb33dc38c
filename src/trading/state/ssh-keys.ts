/** Buyers' SSH public keys, sent to the seller's cluster with each lease provisioned for them. */
export class SshKeys {
  constructor(private readonly keys: Map<string, string>) {}

  of(accountId: string): string | null {
    return this.keys.get(accountId) ?? null;
  }

  set(accountId: string, key: string | null): void {
    if (key === null) this.keys.delete(accountId);
    else this.keys.set(accountId, key);
  }

  /** Sorted by account (for the state hash). */
  entries(): [string, string][] {
    return [...this.keys].sort(([a], [b]) => (a < b ? -1 : 1));
  }
}
