import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Who a key belongs to and what it may do: the one read authentication needs (keys are stored as hashes). */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findByKeyHash(
    keyHash: string,
  ): Promise<{ accountId: string; engineId: number; scopes: string[] } | null> {
    const rows: { account_id: string; engine_id: string; scopes: string[] }[] = await this.db.query(
      `select k.account_id, a.engine_id, k.scopes from api_keys k join accounts a on a.id = k.account_id
        where k.key_hash = $1`,
      [keyHash],
    );
    return rows.length
      ? { accountId: rows[0].account_id, engineId: Number(rows[0].engine_id), scopes: rows[0].scopes }
      : null;
  }
}
