import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { WindowCounter } from '../common/window-counter';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiKeysRepository } from './api-keys.repository';
import { Scope, hashApiKey, sameKey } from './api-keys';
import { allowlist } from '../common/ip-allowlist';
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
  /** Failed sign-ins per client address: beyond the limit, that address is refused for the rest of the minute. */
  private readonly failures: WindowCounter;
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
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.failures = new WindowCounter(config.auth.failedSignInsPerMinute, 60_000);
  }

  /**
   * Who this key is, called from `address`: UNAUTHORIZED for an unknown, revoked or expired key, FORBIDDEN from an
   * address outside the key's allowlist; RATE_LIMITED, without a look-up, from an address that failed too often
   * in the last minute.
   */
  async authenticate(key: string, address: string | undefined): Promise<Principal> {
    const now = Date.now();
    const from = address ?? 'unknown';
    if (this.failures.over(from, now)) {
      throw new DomainError(
        'RATE_LIMITED',
        'too many failed sign-ins from this address; try again within a minute',
      );
    }
    if (sameKey(key, this.adminKey)) return this.admin;
    try {
      return await this.check(key, address, now);
    } catch (error) {
      if (error instanceof DomainError) this.failures.hit(from, now); // not when the database failed
      throw error;
    }
  }

  private async check(key: string, address: string | undefined, now: number): Promise<Principal> {
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
