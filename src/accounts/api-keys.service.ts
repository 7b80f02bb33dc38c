import { Inject, Injectable } from '@nestjs/common';
import { Scope, hashApiKey, newApiKey } from '../auth/api-keys';
import { AuthService } from '../auth/auth.service';
import { RevocationBroadcast } from '../auth/revocation-broadcast';
import { invalidAllowlistEntry } from '../common/ip-allowlist';
import { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { AccountsRepository } from './persistence/accounts.repository';
import { ApiKeyEntity } from './persistence/api-key.entity';

/** A key as its account sees it: never the key itself. */
export interface ApiKeyView {
  id: string;
  label: string;
  /** The key's first characters, to tell it apart. */
  prefix: string;
  scopes: Scope[];
  expiresAt: string | null;
  allowedIps: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The key that created it; null for the key an admin created with the account. */
  createdBy: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The API keys an account manages itself. A key can create keys with scopes it holds (and the account has), and
 * revoke keys whose scopes it holds; a revoked key stops at once, with its WebSocket sessions.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(AccountsRepository) private readonly accounts: AccountsRepository,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RevocationBroadcast) private readonly revocations: RevocationBroadcast,
  ) {}

  async create(
    principal: Principal,
    accountId: string,
    dto: CreateApiKeyDto,
  ): Promise<ApiKeyView & { apiKey: string }> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new DomainError('NOT_FOUND', 'no such account');
    const notTheAccounts = dto.scopes.filter((s) => !account.scopes.includes(s));
    if (notTheAccounts.length > 0) {
      throw new DomainError('FORBIDDEN', `the account does not have the ${notTheAccounts.join(', ')} scope`);
    }
    const notTheKeys = dto.scopes.filter((s) => !principal.scopes.includes(s));
    if (notTheKeys.length > 0) {
      throw new DomainError(
        'FORBIDDEN',
        `a key grants only scopes it holds; this one lacks ${notTheKeys.join(', ')}`,
      );
    }
    const expiresAt = dto.expiresAt === undefined ? null : new Date(dto.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new DomainError('INVALID_REQUEST', 'expiresAt must be in the future');
    }
    for (const entry of dto.allowedIps ?? []) {
      const invalid = invalidAllowlistEntry(entry);
      if (invalid) throw new DomainError('INVALID_REQUEST', `allowedIps: ${invalid}`);
    }
    const apiKey = newApiKey();
    const max = this.config.limits.apiKeysPerAccount;
    const key = await this.accounts.addKey(
      accountId,
      principal.keyId as string,
      {
        keyHash: hashApiKey(apiKey),
        keyPrefix: apiKey.slice(0, 8),
        label: dto.label,
        scopes: dto.scopes,
        expiresAt,
        allowedIps: dto.allowedIps ?? null,
      },
      max,
    );
    if (!key) throw new DomainError('LIMIT_REACHED', `an account has at most ${max} API keys in force`);
    return { ...view(key), apiKey };
  }

  async list(accountId: string, limit: number): Promise<ApiKeyView[]> {
    return (await this.accounts.listKeys(accountId, limit)).map(view);
  }

  /** Revokes one of the account's keys for its holder: the caller's key must hold every scope of that key. */
  async revokeOwn(principal: Principal, accountId: string, keyId: string): Promise<ApiKeyView> {
    const key = await this.existing(accountId, keyId);
    const beyond = key.scopes.filter((s) => !principal.scopes.includes(s as Scope));
    if (key.id !== principal.keyId && beyond.length > 0) {
      throw new DomainError(
        'FORBIDDEN',
        `a key revokes only keys whose scopes it holds; this one lacks ${beyond.join(', ')}`,
      );
    }
    return this.revoke(accountId, key.id);
  }

  /** Revokes a key of any account (the admin). */
  async revoke(accountId: string, keyId: string): Promise<ApiKeyView> {
    await this.existing(accountId, keyId);
    const key = (await this.accounts.revokeKey(accountId, keyId)) as ApiKeyEntity;
    this.auth.revoked([key.id]);
    await this.revocations.announce([key.id]);
    return view(key);
  }

  private async existing(accountId: string, keyId: string): Promise<ApiKeyEntity> {
    const key = UUID.test(keyId) ? await this.accounts.findKey(accountId, keyId) : null;
    if (!key) throw new DomainError('NOT_FOUND', 'no such API key');
    return key;
  }
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function view(key: ApiKeyEntity): ApiKeyView {
  return {
    id: key.id,
    label: key.label,
    prefix: key.keyPrefix,
    scopes: key.scopes as Scope[],
    expiresAt: iso(key.expiresAt),
    allowedIps: key.allowedIps,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt),
    createdBy: key.createdBy,
  };
}
