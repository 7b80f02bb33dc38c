import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { formatMoney } from '../common/money';

/** The exchange's own account: it holds the system books. */
export const EXCHANGE_ACCOUNT_ID = '00000000-0000-0000-0000-000000000000';

/** Where money sits. Accounts: available, held (for open buys), escrow (for leases). The exchange: deposits, revenue. */
export type Book = 'available' | 'held' | 'escrow' | 'deposits' | 'revenue';

export interface Posting {
  accountId: string;
  book: Book;
  /** Signed: what this book gains (negative: loses). */
  amount: Decimal;
}

/** One balanced movement of money: its postings sum to zero. */
export interface LedgerTransaction {
  kind: string;
  reference: string | null;
  postings: Posting[];
}

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
 * A double-entry ledger: every movement is a transaction whose entries sum to zero, and `balances` keeps each
 * book's running total in the same database transaction. A balance may never go negative (the deposits book,
 * which mirrors money that came in, excepted): the database refuses, and the whole transaction rolls back.
 */
@Injectable()
export class LedgerService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records balanced transactions inside the caller's database transaction, in a fixed number of statements
   * whatever their count (the group commit writes a whole batch this way): the transactions, their entries, and
   * one update per touched balance.
   */
  async post(em: EntityManager, transactions: LedgerTransaction[]): Promise<void> {
    const live = transactions.filter((t) => t.postings.some((p) => !p.amount.isZero()));
    if (live.length === 0) return;
    for (const t of live) {
      const sum = t.postings.reduce((total, p) => total.plus(p.amount), new Decimal(0));
      if (!sum.isZero()) throw new Error(`unbalanced ledger transaction ${t.kind}: entries sum to ${sum}`);
    }
    const ids: { id: string }[] = await em.query(
      `select nextval('ledger_transactions_id_seq') as id from generate_series(1, $1)`,
      [live.length],
    );
    await em.query(
      `insert into ledger_transactions (id, kind, reference) select * from unnest($1::bigint[], $2::text[], $3::text[])`,
      [ids.map((r) => r.id), live.map((t) => t.kind), live.map((t) => t.reference)],
    );
    const entries = live.flatMap((t, i) =>
      t.postings.filter((p) => !p.amount.isZero()).map((p) => ({ id: ids[i].id, p })),
    );
    await em.query(
      `insert into ledger_entries (transaction_id, account_id, book, amount)
       select * from unnest($1::bigint[], $2::uuid[], $3::text[], $4::numeric[])`,
      [
        entries.map((e) => e.id),
        entries.map((e) => e.p.accountId),
        entries.map((e) => e.p.book),
        entries.map((e) => e.p.amount.toFixed()),
      ],
    );
    const deltas = new Map<string, { accountId: string; book: Book; amount: Decimal }>();
    for (const { p } of entries) {
      const key = `${p.accountId}/${p.book}`;
      const current = deltas.get(key) ?? { accountId: p.accountId, book: p.book, amount: new Decimal(0) };
      deltas.set(key, { ...current, amount: current.amount.plus(p.amount) });
    }
    const changes = [...deltas.values()].filter((d) => !d.amount.isZero());
    let updated: [unknown[], number];
    try {
      // An UPDATE, not an upsert: PostgreSQL checks constraints on the row an INSERT proposes before it looks
      // for a conflict, so an upsert of a negative change would fail even on a well-funded account.
      updated = await em.query(
        `update balances b set amount = b.amount + v.delta
           from unnest($1::uuid[], $2::text[], $3::numeric[]) as v (account_id, book, delta)
          where b.account_id = v.account_id and b.book = v.book`,
        [changes.map((c) => c.accountId), changes.map((c) => c.book), changes.map((c) => c.amount.toFixed())],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23514')
        throw new DomainError('INSUFFICIENT_FUNDS', 'not enough funds');
      throw error;
    }
    if (updated[1] !== changes.length) throw new Error(`${changes.length - updated[1]} balances are missing`);
  }

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
