import { Inject, Injectable } from '@nestjs/common';
import { ApiKeysRepository } from './api-keys.repository';
import { Scope, hashApiKey, sameKey } from './api-keys';
import { Principal } from './principal';

export const ADMIN_KEY = Symbol('ADMIN_KEY');

/** How long a key's account and scopes are remembered (keys cannot be changed or revoked yet). */
const CACHE_MS = 30_000;

@Injectable()
export class AuthService {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    @Inject(ADMIN_KEY) private readonly adminKey: string,
    @Inject(ApiKeysRepository) private readonly keys: ApiKeysRepository,
  ) {}

  async authenticate(key: string): Promise<Principal | null> {
    if (sameKey(key, this.adminKey)) return { accountId: null, engineAccountId: null, scopes: ['admin'] };
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const found = await this.keys.findByKeyHash(hash);
    if (!found) return null;
    const principal: Principal = {
      accountId: found.accountId,
      engineAccountId: found.engineId,
      scopes: found.scopes as Scope[],
    };
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }
}
