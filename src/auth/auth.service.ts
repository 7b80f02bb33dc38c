import { Inject, Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/persistence/accounts.repository';
import { Scope, hashApiKey, sameKey } from './api-keys';
import { Principal } from './principal';

export const ADMIN_KEY = Symbol('ADMIN_KEY');

@Injectable()
export class AuthService {
  constructor(
    @Inject(ADMIN_KEY) private readonly adminKey: string,
    @Inject(AccountsRepository) private readonly accounts: AccountsRepository,
  ) {}

  async authenticate(key: string): Promise<Principal | null> {
    if (sameKey(key, this.adminKey)) return { accountId: null, engineAccountId: null, scopes: ['admin'] };
    const found = await this.accounts.findByKeyHash(hashApiKey(key));
    if (!found) return null;
    return {
      accountId: found.account.id,
      engineAccountId: Number(found.account.engineId),
      scopes: found.scopes as Scope[],
    };
  }
}
