import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several keys per account: each with a label, its own scopes (a subset of the account's, now kept on the
 * account), an optional expiry and address allowlist, when it was last used and when it was revoked, and the key
 * it was created with (revoking a key revokes the keys made with it).
 */
export class ApiKeys1763900010000 implements MigrationInterface {
  name = 'ApiKeys1763900010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table accounts add column scopes text[] not null default '{}'`);
    await q.query(`
      update accounts a set scopes = coalesce(
        (select array_agg(distinct s order by s) from api_keys k, unnest(k.scopes) s where k.account_id = a.id),
        '{}')`);
    await q.query(`
      alter table api_keys
        add column label text not null default 'default',
        add column expires_at timestamptz,
        add column allowed_ips text[],
        add column last_used_at timestamptz,
        add column revoked_at timestamptz,
        add column created_by uuid references api_keys (id)`);
    await q.query(`create index api_keys_account on api_keys (account_id, created_at)`);
    await q.query(`create index api_keys_created_by on api_keys (created_by) where created_by is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index api_keys_created_by`);
    await q.query(`drop index api_keys_account`);
    await q.query(`
      alter table api_keys drop column created_by, drop column revoked_at, drop column last_used_at,
        drop column allowed_ips, drop column expires_at, drop column label`);
    await q.query(`alter table accounts drop column scopes`);
  }
}
