import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** What authentication needs to know about a key in force (keys are stored as hashes). */
export interface KeyInForce {
  keyId: string;
  accountId: string;
  engineId: number;
  scopes: string[];
  expiresAt: number | null;
  allowedIps: string[] | null;
}

/** The reads and the one write authentication makes (keys are managed by the accounts module). */
@Injectable()
export class ApiKeysRepository {
  private readonly logger = new Logger(ApiKeysRepository.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The key with this hash, unless it was revoked (an expired key is returned: the caller tells why it fails). */
  async findByKeyHash(keyHash: string): Promise<KeyInForce | null> {
    const rows: {
      id: string;
      account_id: string;
      engine_id: string;
      scopes: string[];
      expires_at: Date | null;
      allowed_ips: string[] | null;
    }[] = await this.db.query(
      `select k.id, k.account_id, a.engine_id, k.scopes, k.expires_at, k.allowed_ips
         from api_keys k join accounts a on a.id = k.account_id
        where k.key_hash = $1 and k.revoked_at is null`,
      [keyHash],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      keyId: row.id,
      accountId: row.account_id,
      engineId: Number(row.engine_id),
      scopes: row.scopes,
      expiresAt: row.expires_at ? row.expires_at.getTime() : null,
      allowedIps: row.allowed_ips,
    };
  }

  /** Records that the key was used (at most once a minute per key, so authentication rarely writes). */
  touch(keyId: string): void {
    this.db
      .query(
        `update api_keys set last_used_at = now()
          where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
        [keyId],
      )
      .catch((error: unknown) =>
        this.logger.warn(`could not record the use of key ${keyId}: ${(error as Error).message}`),
      );
  }
}
