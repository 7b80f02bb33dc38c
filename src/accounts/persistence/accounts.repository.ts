import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { AccountEntity } from './account.entity';
import { ApiKeyEntity } from './api-key.entity';

/** A key as it is created: its hash and prefix (the key itself is never stored). */
export type NewKey = Pick<
  ApiKeyEntity,
  'keyHash' | 'keyPrefix' | 'label' | 'scopes' | 'expiresAt' | 'allowedIps'
>;

@Injectable()
export class AccountsRepository {
  constructor(
    @InjectRepository(AccountEntity) private readonly accounts: Repository<AccountEntity>,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
  ) {}

  /** Creates an account and its first key in one transaction. */
  async createWithKey(
    name: string,
    key: NewKey,
    openBooks: (em: EntityManager, accountId: string) => Promise<void>,
  ): Promise<AccountEntity> {
    return this.accounts.manager.transaction(async (em) => {
      const id = randomUUID();
      await em.insert(AccountEntity, { id, name, scopes: key.scopes });
      await em.insert(ApiKeyEntity, {
        id: randomUUID(),
        accountId: id,
        createdBy: null,
        revokedAt: null,
        ...key,
      });
      await openBooks(em, id);
      return em.findOneByOrFail(AccountEntity, { id });
    });
  }

  findById(id: string): Promise<AccountEntity | null> {
    return this.accounts.findOneBy({ id });
  }

  /**
   * Adds a key to an account unless it already has `max` keys in force (neither revoked nor expired); the
   * account row is locked meanwhile, so concurrent requests cannot pass the cap together.
   */
  addKey(accountId: string, createdBy: string, key: NewKey, max: number): Promise<ApiKeyEntity | null> {
    return this.accounts.manager.transaction(async (em) => {
      await em.query(`select 1 from accounts where id = $1 for update`, [accountId]);
      const [{ count }]: { count: string }[] = await em.query(
        `select count(*) from api_keys
          where account_id = $1 and revoked_at is null and (expires_at is null or expires_at > now())`,
        [accountId],
      );
      if (Number(count) >= max) return null;
      const id = randomUUID();
      await em.insert(ApiKeyEntity, { id, accountId, createdBy, revokedAt: null, ...key });
      return em.findOneByOrFail(ApiKeyEntity, { id });
    });
  }

  /** The account's keys, newest first, revoked ones included. */
  listKeys(accountId: string, limit: number): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { accountId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
  }

  findKey(accountId: string, keyId: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ accountId, id: keyId });
  }

  /** Revokes the key now (a key already revoked keeps its first revocation time), and answers it. */
  async revokeKey(accountId: string, keyId: string): Promise<ApiKeyEntity | null> {
    await this.keys.query(
      `update api_keys set revoked_at = now() where account_id = $1 and id = $2 and revoked_at is null`,
      [accountId, keyId],
    );
    return this.findKey(accountId, keyId);
  }
}
