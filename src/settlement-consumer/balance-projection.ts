import { Pool } from 'pg';

/** A settlement event as it arrives (the envelope of PROTOCOL.md). */
export interface SettlementEnvelope {
  id: string;
  type: string;
  data: { postings?: { accountId: string; book: string; amount: string }[] };
}

/**
 * The reference consumer's state, in its own PostgreSQL database: which event ids it has applied, and each
 * account's balance per book, built only from the postings of settlement events. Each event is applied in one
 * transaction together with the record of its id, so a redelivered event changes nothing.
 */
export class BalanceProjection {
  constructor(private readonly pool: Pool) {}

  async createSchema(): Promise<void> {
    await this.pool.query(`
      create table if not exists processed_events (
        event_id uuid primary key,
        type text not null,
        processed_at timestamptz not null default now()
      );
      create table if not exists projected_balances (
        account_id uuid not null,
        book text not null,
        amount numeric(30, 10) not null,
        primary key (account_id, book)
      )`);
  }

  /** Applies an event once; returns false when its id was seen before. */
  async apply(event: SettlementEnvelope): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const fresh = await client.query(
        `insert into processed_events (event_id, type) values ($1, $2) on conflict do nothing`,
        [event.id, event.type],
      );
      if (fresh.rowCount === 0) {
        await client.query('rollback');
        return false;
      }
      const postings = event.data.postings ?? [];
      if (postings.length > 0) {
        await client.query(
          `insert into projected_balances (account_id, book, amount)
           select * from unnest($1::uuid[], $2::text[], $3::numeric[])
           on conflict (account_id, book) do update set amount = projected_balances.amount + excluded.amount`,
          [postings.map((p) => p.accountId), postings.map((p) => p.book), postings.map((p) => p.amount)],
        );
      }
      await client.query('commit');
      return true;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** Every non-zero balance, as `accountId/book` -> amount (a decimal string). */
  async balances(): Promise<Map<string, string>> {
    const rows: { account_id: string; book: string; amount: string }[] = (
      await this.pool.query(`select account_id, book, amount::text from projected_balances where amount <> 0`)
    ).rows;
    return new Map(rows.map((r) => [`${r.account_id}/${r.book}`, r.amount]));
  }

  async processedCount(): Promise<number> {
    return Number((await this.pool.query(`select count(*) from processed_events`)).rows[0].count);
  }
}
