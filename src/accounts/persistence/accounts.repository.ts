import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { AccountEntity } from './account.entity';
import { ApiKeyEntity } from './api-key.entity';

@Injectable()
export class AccountsRepository {
  constructor(
    @InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
  ) {}

  /** Creates an account and its first key in one transaction. */
  async createWithKey(
    name: string,
    scopes: string[],
    keyHash: string,
    keyPrefix: string,
    openBooks: (em: EntityManager, accountId: string) => Promise<void>,
  ): Promise<AccountEntity> {
    return this.accounts.manager.transaction(async (em) => {
      const id = randomUUID();
      await em.insert(AccountEntity, { id, name });
      await em.insert(ApiKeyEntity, { id: randomUUID(), accountId: id, keyHash, keyPrefix, scopes });
      await openBooks(em, id);
      return em.findOneByOrFail(AccountEntity, { id });
    });
  }

  findById(id: string): Promise<AccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  async scopesOf(accountId: string): Promise<string[]> {
    const keys = await this.keys.findBy({ accountId });
    return [...new Set(keys.flatMap((k) => k.scopes))];
  }
}
