import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Decimal from 'decimal.js';
import { DataSource, EntityManager } from 'typeorm';
import { formatMoney } from '../common/money';
import { WriteStatement } from '../database/write-statement';

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
   * Adds balanced transactions to the caller's write statement, in a fixed number of parts whatever their count
   * (the group commit writes a whole batch this way): the transactions, their entries, and one update per
   * touched balance, which must exist (the statement fails otherwise). A balance that would go negative makes the
   * database refuse the whole statement.
   */
  write(statement: WriteStatement, transactions: LedgerTransaction[]): void {
    const live = transactions.filter((t) => t.postings.some((p) => !p.amount.isZero()));
    if (live.length === 0) return;
    for (const t of live) {
      const sum = t.postings.reduce((total, p) => total.plus(p.amount), new Decimal(0));
      if (!sum.isZero()) throw new Error(`unbalanced ledger transaction ${t.kind}: entries sum to ${sum}`);
    }
    const ids = statement.add(
      `select nextval('ledger_transactions_id_seq') as id, ord from generate_series(1, $1::int) as ord`,
      [live.length],
    );
    statement.add(
      `insert into ledger_transactions (id, kind, reference)
       select i.id, v.kind, v.reference from unnest($1::text[], $2::text[]) with ordinality as v (kind, reference, ord)
         join ${ids} i using (ord) order by ord`,
      [live.map((t) => t.kind), live.map((t) => t.reference)],
    );
    const entries = live.flatMap((t, i) =>
      t.postings.filter((p) => !p.amount.isZero()).map((p) => ({ ord: i + 1, p })),
    );
    statement.add(
      `insert into ledger_entries (transaction_id, account_id, book, amount)
       select i.id, v.account_id, v.book, v.amount
         from unnest($1::int[], $2::uuid[], $3::text[], $4::numeric[]) with ordinality
              as v (ord, account_id, book, amount, n)
         join ${ids} i using (ord) order by v.n`,
      [
        entries.map((e) => e.ord),
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
    if (changes.length === 0) return;
    // An UPDATE, not an upsert: PostgreSQL checks constraints on the row an INSERT proposes before it looks
    // for a conflict, so an upsert of a negative change would fail even on a well-funded account.
    const updated = statement.add(
      `update balances b set amount = b.amount + v.delta
         from unnest($1::uuid[], $2::text[], $3::numeric[]) as v (account_id, book, delta)
        where b.account_id = v.account_id and b.book = v.book
       returning 1`,
      [changes.map((c) => c.accountId), changes.map((c) => c.book), changes.map((c) => c.amount.toFixed())],
    );
    statement.expectRows(updated, changes.length, 'balances');
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
