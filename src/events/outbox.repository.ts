import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WriteStatement } from '../database/write-statement';
import type { OutboxEvent } from './settlement-events';

/** An outbox row as the relay and the admin API read it: the envelope is the JSON text to publish, as written. */
export interface OutboxRow {
  seq: number;
  id: string;
  topic: string;
  key: string;
  type: string;
  envelope: string;
  published: boolean;
}

interface Row extends Omit<OutboxRow, 'seq'> {
  seq: string;
}

const toRow = (r: Row): OutboxRow => ({ ...r, seq: Number(r.seq) });

@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Adds the events to the caller's write statement, in order (their `seq` follows it). */
  write(statement: WriteStatement, events: OutboxEvent[]): void {
    if (events.length === 0) return;
    statement.add(
      `insert into outbox (id, topic, key, type, envelope)
       select v.id, v.topic, v.key, v.type, v.envelope
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) with ordinality
              as v (id, topic, key, type, envelope, n)
        order by v.n`,
      [
        events.map((e) => e.envelope.id),
        events.map((e) => e.topic),
        events.map((e) => e.key),
        events.map((e) => e.envelope.type),
        events.map((e) => JSON.stringify(e.envelope)),
      ],
    );
  }

  /** The oldest events not yet published, in `seq` order. */
  async unpublished(limit: number): Promise<OutboxRow[]> {
    const rows: Row[] = await this.db.query(
      `select seq, id, topic, key, type, envelope, false as published from outbox
        where seq > (select published_seq from outbox_relay) order by seq limit $1`,
      [limit],
    );
    return rows.map(toRow);
  }

  /** Every event up to `seq` is published. */
  async markPublished(seq: number): Promise<void> {
    await this.db.query(`update outbox_relay set published_seq = $1 where published_seq < $1`, [seq]);
  }

  /** Events after `afterSeq`, oldest first (the admin API pages with it). */
  async list(afterSeq: number, limit: number, type: string | null): Promise<OutboxRow[]> {
    const rows: Row[] = await this.db.query(
      `select seq, id, topic, key, type, envelope, seq <= (select published_seq from outbox_relay) as published
         from outbox
        where seq > $1 and ($3::text is null or type = $3) order by seq limit $2`,
      [afterSeq, limit, type],
    );
    return rows.map(toRow);
  }

  /** How many events wait to be published, and how old the oldest is. */
  async lag(): Promise<{ pending: number; oldestAgeMs: number | null }> {
    const [row] = await this.db.query(
      `select count(*) as pending, extract(epoch from (now() - min(created_at))) * 1000 as age
         from outbox where seq > (select published_seq from outbox_relay)`,
    );
    return {
      pending: Number(row.pending),
      oldestAgeMs: row.age === null ? null : Math.round(Number(row.age)),
    };
  }
}
