import Decimal from 'decimal.js';
import type { WriteStatement } from './write-statement';
import type { Book, LedgerTransaction } from '../../trading/types';

/** What a transaction's `reference` column names, per kind (the order, the trade, or the lease). */
function referenceOf(t: LedgerTransaction): string | null {
  switch (t.kind) {
    case 'hold':
    case 'release':
      return String(t.orderId);
    case 'fill':
      return t.tradeId;
    case 'settlement':
    case 'refund':
    case 'credit':
      return t.leaseId;
    case 'deposit':
      return null;
  }
}

/**
 * Adds balanced transactions to the batch statement in a fixed number of parts whatever their count: the
 * transactions, their entries, and one update per touched balance, which must exist (the statement fails
 * otherwise). A balance that would go negative makes the database refuse the whole statement.
 */
export function insertLedger(statement: WriteStatement, transactions: LedgerTransaction[]): void {
  if (transactions.length === 0) return;
  for (const t of transactions) {
    const sum = t.postings.reduce((total, p) => total.plus(p.amount), new Decimal(0));
    if (!sum.isZero()) throw new Error(`unbalanced ledger transaction ${t.kind}: entries sum to ${sum}`);
  }
  const ids = statement.add(
    `select nextval('ledger_transactions_id_seq') as id, ord from generate_series(1, $1::int) as ord`,
    [transactions.length],
  );
  statement.add(
    `insert into ledger_transactions (id, kind, reference)
     select i.id, v.kind, v.reference from unnest($1::text[], $2::text[]) with ordinality as v (kind, reference, ord)
       join ${ids} i using (ord) order by ord`,
    [transactions.map((t) => t.kind), transactions.map(referenceOf)],
  );
  const entries = transactions.flatMap((t, i) => t.postings.map((p) => ({ ord: i + 1, p })));
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
    const current = deltas.get(key);
    deltas.set(key, {
      accountId: p.accountId,
      book: p.book,
      amount: current ? current.amount.plus(p.amount) : p.amount,
    });
  }
  const changes = [...deltas.values()].filter((d) => !d.amount.isZero());
  if (changes.length === 0) return;
  // An UPDATE, not an upsert: PostgreSQL checks constraints on the row an INSERT proposes before it looks for a
  // conflict, so an upsert of a negative change would fail even on a well-funded account.
  const updated = statement.add(
    `update balances b set amount = b.amount + v.delta
       from unnest($1::uuid[], $2::text[], $3::numeric[]) as v (account_id, book, delta)
      where b.account_id = v.account_id and b.book = v.book
     returning 1`,
    [changes.map((c) => c.accountId), changes.map((c) => c.book), changes.map((c) => c.amount.toFixed())],
  );
  statement.expectRows(updated, changes.length, 'balances');
}
