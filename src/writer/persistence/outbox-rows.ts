import type { WriteStatement } from './write-statement';
import type { OutboxRow } from '../settlement-events';

/** The batch's settlement events as one outbox row (numbered first_seq..last_seq, without gaps). */
export function insertOutbox(statement: WriteStatement, rows: readonly OutboxRow[]): void {
  if (rows.length === 0) return;
  statement.add(`insert into outbox (first_seq, last_seq, events) values ($1, $2, $3)`, [
    rows[0].seq,
    rows[rows.length - 1].seq,
    JSON.stringify(rows.map(({ topic, key, envelope }) => ({ topic, key, envelope }))),
  ]);
}
