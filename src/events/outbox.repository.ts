import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OutboxEvent, OutboxRow } from '../writer/settlement-events';

export type { OutboxRow } from '../writer/settlement-events';

interface BatchRow {
  first_seq: string;
  events: string;
  published_seq: string;
}

function expand(rows: BatchRow[]): OutboxRow[] {
  return rows.flatMap((row) =>
    (JSON.parse(row.events) as OutboxEvent[]).map((event, i) => {
      const seq = Number(row.first_seq) + i;
      return { ...event, seq, published: seq <= Number(row.published_seq) };
    }),
  );
}

/** The outbox as the relay and the admin API read it (the single writer writes it, see src/writer). */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The last event the relay recorded as published. */
  async publishedSeq(): Promise<number> {
    const [row] = await this.db.query(`select published_seq from outbox_relay`);
    return Number(row.published_seq);
  }

  /** The events after `afterSeq`, in `seq` order (whole batches, up to about `limit` events). */
  async after(afterSeq: number, limit: number): Promise<OutboxRow[]> {
    const rows: BatchRow[] = await this.db.query(
      `select first_seq, events, $1::bigint as published_seq from outbox
        where last_seq > $1 order by first_seq limit $2`,
      [afterSeq, Math.max(1, Math.ceil(limit / 50))],
    );
    return expand(rows).filter((e) => !e.published);
  }

  /** Every event up to `seq` is published. */
  async markPublished(seq: number): Promise<void> {
    await this.db.query(`update outbox_relay set published_seq = $1 where published_seq < $1`, [seq]);
  }

  /** Events after `afterSeq`, oldest first (the admin API pages with it), optionally of one type. */
  async list(afterSeq: number, limit: number, type: string | null): Promise<OutboxRow[]> {
    const found: OutboxRow[] = [];
    let after = afterSeq;
    while (found.length < limit) {
      const rows: (BatchRow & { last_seq: string })[] = await this.db.query(
        `select o.first_seq, o.last_seq, o.events, r.published_seq from outbox o, outbox_relay r
          where o.last_seq > $1 order by o.first_seq limit 100`,
        [after],
      );
      if (rows.length === 0) break;
      found.push(
        ...expand(rows).filter((e) => e.seq > afterSeq && (type === null || e.envelope.type === type)),
      );
      after = Number(rows[rows.length - 1].last_seq);
    }
    return found.slice(0, limit);
  }

  /** How many events after `publishedSeq` wait to be published, and how old the oldest is. */
  async lag(publishedSeq: number): Promise<{ pending: number; oldestAgeMs: number | null }> {
    const [row] = await this.db.query(
      `select coalesce(max(last_seq) - $1, 0) as pending, extract(epoch from (now() - min(created_at))) * 1000 as age
         from outbox where last_seq > $1`,
      [publishedSeq],
    );
    return {
      pending: Number(row.pending),
      oldestAgeMs: row.age === null ? null : Math.round(Number(row.age)),
    };
  }
}
