import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { ApiKeysRepository } from './api-keys.repository';
import { Scope, hashApiKey, sameKey } from './api-keys';
import { allowlist } from './ip-allowlist';
import { Principal } from './principal';

export const ADMIN_KEY = Symbol('ADMIN_KEY');

/**
 * How long a key's account and scopes are remembered. A revocation in this process is seen at once (the entry is
 * dropped); this bounds how long any other change can go unseen.
 */
const CACHE_MS = 1000;
/** Above this many remembered keys the cache starts over (it holds only what the last second used). */
const CACHE_ENTRIES = 100_000;
/**
 * Revoked key ids are refused here for this long even if a lookup that began before the revocation answers after
 * it (so no session can sign in with a key its owner has just revoked).
 */
const REVOKED_MEMORY_MS = 60_000;

interface Remembered {
  principal: Principal;
  allows: ((address: string | undefined) => boolean) | null;
  until: number;
}

@Injectable()
export class AuthService {
  private readonly cache = new Map<string, Remembered>();
  private readonly recentlyRevoked = new Map<string, number>();
  private readonly revocationListeners: ((keyIds: ReadonlySet<string>) => void)[] = [];
  private readonly admin: Principal = {
    accountId: null,
    engineAccountId: null,
    keyId: null,
    scopes: ['admin'],
    expiresAt: null,
  };

  constructor(
    @Inject(ADMIN_KEY) private readonly adminKey: string,
    @Inject(ApiKeysRepository) private readonly keys: ApiKeysRepository,
  ) {}

  /**
   * Who this key is, called from `address`: UNAUTHORIZED for an unknown, revoked or expired key, FORBIDDEN from an
   * address outside the key's allowlist.
   */
  async authenticate(key: string, address: string | undefined): Promise<Principal> {
    if (sameKey(key, this.adminKey)) return this.admin;
    const now = Date.now();
    const found = await this.remembered(hashApiKey(key), now);
    if (!found || this.recentlyRevoked.has(found.principal.keyId as string)) {
      throw new DomainError('UNAUTHORIZED', 'unknown or revoked API key');
    }
    const { principal, allows } = found;
    if (principal.expiresAt !== null && principal.expiresAt <= now) {
      throw new DomainError(
        'UNAUTHORIZED',
        `this API key expired at ${new Date(principal.expiresAt).toISOString()}`,
      );
    }
    if (allows && !allows(address)) {
      throw new DomainError(
        'FORBIDDEN',
        `this API key is not allowed from ${address ?? 'an unknown address'}`,
      );
    }
    return principal;
  }

  /** Keys just revoked: forgotten at once, and whoever holds a session signed in with one is told. */
  revoked(keyIds: readonly string[]): void {
    const ids = new Set(keyIds);
    const now = Date.now();
    for (const [id, at] of this.recentlyRevoked)
      if (at < now - REVOKED_MEMORY_MS) this.recentlyRevoked.delete(id);
    for (const id of ids) this.recentlyRevoked.set(id, now);
    for (const [hash, entry] of this.cache)
      if (ids.has(entry.principal.keyId as string)) this.cache.delete(hash);
    for (const listener of this.revocationListeners) listener(ids);
  }

  onRevoked(listener: (keyIds: ReadonlySet<string>) => void): void {
    this.revocationListeners.push(listener);
  }

  private async remembered(hash: string, now: number): Promise<Remembered | null> {
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached;
    const found = await this.keys.findByKeyHash(hash);
    if (!found) {
      this.cache.delete(hash);
      return null;
    }
    this.keys.touch(found.keyId);
    const entry: Remembered = {
      principal: {
        accountId: found.accountId,
        engineAccountId: found.engineId,
        keyId: found.keyId,
        scopes: found.scopes as Scope[],
        expiresAt: found.expiresAt,
      },
      allows: found.allowedIps ? allowlist(found.allowedIps) : null,
      until: now + CACHE_MS,
    };
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    this.cache.set(hash, entry);
    return entry;
  }
}
