import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Why a WebSocket connection ended, by its close code (a small, fixed set of label values). */
const CLOSE_REASONS: Record<number, string> = {
  1000: 'normal',
  1001: 'going_away',
  1005: 'normal', // closed by the client without a code
  1006: 'abnormal',
  1009: 'too_big',
  4008: 'too_slow',
  4009: 'too_much_queued',
  4029: 'too_many_messages',
  4030: 'too_many_connections',
  4031: 'too_many_failed_sign_ins',
  4401: 'key_ended',
};

/**
 * The exchange's Prometheus metrics (`GET /metrics`), in one registry: counters and histograms that the code
 * moves as things happen, and gauges read when Prometheus scrapes (`gauge`). Names are `exchange_*`, plus the
 * process and Node.js defaults of prom-client.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly orders = new Counter({
    name: 'exchange_orders_total',
    help: 'Orders placed over REST and WebSocket, by outcome: accepted, or the error code it was refused with',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'exchange_batch_size',
    help: 'Commands per committed batch (group commit)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly batchCommitSeconds = new Histogram({
    name: 'exchange_batch_commit_seconds',
    help: "Time to commit one batch: the writer's statement, from sending it to its answer",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  private readonly wsDisconnects = new Counter({
    name: 'exchange_ws_disconnects_total',
    help: 'WebSocket connections ended, by reason (the close code: normal, too_slow, too_many_messages, ...)',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    let last: EventLoopUtilization = performance.eventLoopUtilization();
    this.gauge(
      'exchange_event_loop_utilization',
      'Share of time the event loop was busy since the last scrape',
      () => {
        const now = performance.eventLoopUtilization();
        const since = performance.eventLoopUtilization(now, last);
        last = now;
        return since.utilization;
      },
    );
  }

  /** A gauge whose value is read at each scrape. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A gauge with labels, all of whose values are read at each scrape (labels not returned are dropped). */
  labelledGauge(name: string, help: string, label: string, read: () => Map<string, number>): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [value, n] of read()) this.set({ [label]: value }, n);
      },
    });
  }

  orderOutcome(outcome: string): void {
    this.orders.inc({ outcome: outcome.toLowerCase() });
  }

  wsDisconnected(code: number): void {
    this.wsDisconnects.inc({ reason: CLOSE_REASONS[code] ?? 'other' });
  }
}
