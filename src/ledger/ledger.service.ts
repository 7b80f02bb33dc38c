import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource, EntityManager } from 'typeorm';
import { formatMoney } from '../common/money';
import type { Book } from '../trading/types';

export { EXCHANGE_ACCOUNT_ID } from '../trading/accounts';

export interface Balance {
  available: string;
  held: string;
  escrow: string;
}

export interface LedgerLine {
  id: string;
  transactionId: string;
  kind: string;
  reference: string | null;
  book: Book;
  amount: string;
  time: string;
}

/**
 * The double-entry ledger, as read: every movement is a transaction whose entries sum to zero, and `balances`
 * keeps each book's running total in the same statement (the single writer writes both, see src/writer). A
 * balance may never go negative (the deposits book, which mirrors money that came in, excepted): the database
 * refuses.
 */
@Injectable()
export class LedgerService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Opens an account's books at zero (in the caller's transaction). */
  async openBooks(em: EntityManager, accountId: string): Promise<void> {
    await em.query(
      `insert into balances (account_id, book, amount) values ($1, 'available', 0), ($1, 'held', 0), ($1, 'escrow', 0)`,
      [accountId],
    );
  }

  async balance(accountId: string): Promise<Balance> {
    const rows: { book: Book; amount: string }[] = await this.dataSource.query(
      `select book, amount from balances where account_id = $1`,
      [accountId],
    );
    const of = (book: Book): string => formatMoney(rows.find((r) => r.book === book)?.amount ?? '0');
    return { available: of('available'), held: of('held'), escrow: of('escrow') };
  }

  /** Newest first; `before` pages back from an entry id. */
  async lines(accountId: string, limit: number, before: string | null): Promise<LedgerLine[]> {
    const rows: {
      id: string;
      transaction_id: string;
      kind: string;
      reference: string | null;
      book: Book;
      amount: string;
      created_at: Date;
    }[] = await this.dataSource.query(
      `select e.id, e.transaction_id, t.kind, t.reference, e.book, e.amount, t.created_at
         from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
        where e.account_id = $1 and ($2::bigint is null or e.id < $2::bigint)
        order by e.id desc limit $3`,
      [accountId, before, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      transactionId: r.transaction_id,
      kind: r.kind,
      reference: r.reference,
      book: r.book,
      amount: formatMoney(r.amount),
      time: r.created_at.toISOString(),
    }));
  }

  /** Every invariant the ledger promises; empty when sound (for tests and operators). */
  async problems(): Promise<string[]> {
    const problems: string[] = [];
    const unbalanced = await this.dataSource.query(
      `select transaction_id from ledger_entries group by transaction_id having sum(amount) <> 0`,
    );
    for (const row of unbalanced) problems.push(`transaction ${row.transaction_id} does not sum to zero`);
    const drift = await this.dataSource.query(
      `select b.account_id, b.book from balances b
         left join (select account_id, book, sum(amount) as total from ledger_entries group by account_id, book) e
           on e.account_id = b.account_id and e.book = b.book
        where b.amount <> coalesce(e.total, 0)`,
    );
    for (const row of drift) problems.push(`balance ${row.account_id}/${row.book} differs from its entries`);
    const [{ total }] = await this.dataSource.query(`select coalesce(sum(amount), 0) as total from balances`);
    if (!new Decimal(total).isZero()) problems.push(`money was created or lost: books sum to ${total}`);
    return problems;
  }
}
