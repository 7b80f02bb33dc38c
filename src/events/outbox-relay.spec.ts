import type { AppConfig } from '../config/app-config';
import type { CommittedBatch } from '../writer/committed-batch';
import type { TradingWriter } from '../writer/trading-writer';
import { InProcessBus } from './event-publisher';
import { Metrics } from '../metrics/metrics';
import { OutboxRelay } from './outbox-relay';
import type { OutboxRepository, OutboxRow } from './outbox.repository';

const event = (seq: number): OutboxRow => ({
  seq,
  topic: 'exchange.settlements',
  key: 'account',
  published: false,
  envelope: {
    id: `event-${seq}`,
    type: 'funds.held',
    version: 1,
    occurredAt: '2026-11-23T00:00:00.000Z',
    data: {},
  },
});

/** An outbox in memory: `rows` are committed; `published` is what the relay recorded. */
class FakeOutbox {
  published = 0;
  constructor(readonly rows: OutboxRow[]) {}
  async publishedSeq() {
    return this.published;
  }
  async after(seq: number, limit: number) {
    return this.rows.filter((r) => r.seq > seq).slice(0, limit);
  }
  async markPublished(seq: number) {
    this.published = Math.max(this.published, seq);
  }
}

describe('OutboxRelay', () => {
  it('publishes the outbox backlog before newer events it holds in memory, each once and in order', async () => {
    const outbox = new FakeOutbox([1, 2, 3, 4, 5].map(event));
    let committed: (batch: CommittedBatch) => void = () => {};
    const writer = { onCommitted: (listener: (batch: CommittedBatch) => void) => (committed = listener) };
    const config = { kafka: { brokers: [], topicPrefix: '', clientId: 'test' } } as unknown as AppConfig;
    const relay = new OutboxRelay(
      outbox as unknown as OutboxRepository,
      writer as unknown as TradingWriter,
      config,
      new Metrics(),
      { lead: (start) => start() },
    );
    const seen: number[] = [];
    (relay.publisher as InProcessBus).events.on('exchange.settlements', (row: OutboxRow) =>
      seen.push(row.seq),
    );
    relay.onApplicationBootstrap();
    // Committed while the relay starts up: they follow events 1..5, which only the database holds.
    const newer = [6, 7, 8].map(event);
    outbox.rows.push(...newer);
    committed({ number: 1, entries: [], settlement: newer });
    for (let i = 0; i < 100 && seen.length < 8; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await relay.onApplicationShutdown();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(outbox.published).toBe(8);
  });
});
