import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheus from 'parse-prometheus-text-format';
import YAML from 'yaml';
import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'H100-SXM.us-east.firm';

/**
 * One sample line of the text exposition format: a name, optional labels, a value (NaN in any case, as
 * Prometheus parses it: prom-client writes `Nan` for an empty event-loop histogram).
 */
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|[Nn][Aa][Nn]|[+-][Ii]nf)$/;

type Family = {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; count?: string }[];
};

/** `GET /metrics`, checked line by line against the exposition format, then parsed into families. */
async function scrape(api: Api): Promise<Map<string, Family>> {
  const response = await api.http.get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
  const bad = response.text
    .split('\n')
    .filter(
      (line) =>
        line !== '' && !line.startsWith('# HELP ') && !line.startsWith('# TYPE ') && !SAMPLE.test(line),
    );
  expect(bad).toEqual([]);
  return new Map((parsePrometheus(response.text) as Family[]).map((f) => [f.name, f]));
}

const value = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}) => {
  const family = families.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? sample?.count ?? NaN);
};

/** Prometheus metrics that move with the traffic, and JSON logs with request and account ids and no secrets. */
describe('metrics and logs', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, { LOG_FORMAT: 'json' });
    api = new Api(exchange);
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  it('exposes the documented metrics, and they move with orders, batches, connections and deliveries', async () => {
    const before = await scrape(api);
    for (const name of [
      'exchange_orders_total',
      'exchange_batch_size',
      'exchange_batch_commit_seconds',
      'exchange_writer_queue_depth',
      'exchange_event_loop_utilization',
      'exchange_outbox_lag_events',
      'exchange_webhook_deliveries_pending',
      'exchange_webhook_oldest_pending_seconds',
      'exchange_ws_connections',
      'exchange_ws_subscriptions',
      'exchange_ws_disconnects_total',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect({ name, present: before.has(name) }).toEqual({ name, present: true });
    }
    expect(before.get('exchange_batch_commit_seconds')?.type).toBe('HISTOGRAM');

    const buyer = await api.account('buyer', ['trade', 'read'], '1000');
    // The seller's cluster hook is a closed port: its lease's provision stays pending.
    const seller = await api.seller('seller', { gpu: 'H100-SXM', region: 'us-east', gpuCount: 64 });
    const order = { symbol: SYMBOL, type: 'limit', price: '2.00', quantity: 8 };
    await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({ ...order, side: 'sell', clusterId: seller.cluster })
      .expect(201);
    await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ ...order, side: 'buy', durationHours: 1 })
      .expect(201);
    const refused = { ...order, side: 'buy', durationHours: 1, price: '999.00', quantity: 800 };
    await api.http.post('/v1/orders').set('Authorization', buyer.key).send(refused).expect(400);
    const client = await WsClient.connect(exchange.url);
    await client.request({ op: 'subscribe', channel: 'book', symbol: SYMBOL });
    const closing = await WsClient.connect(exchange.url);
    closing.close();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const after = await scrape(api);
    expect(value(after, 'exchange_orders_total', { outcome: 'accepted' })).toBe(2);
    expect(value(after, 'exchange_orders_total', { outcome: 'insufficient_funds' })).toBe(1);
    expect(value(after, 'exchange_batch_size') - value(before, 'exchange_batch_size')).toBeGreaterThanOrEqual(
      2,
    );
    expect(value(after, 'exchange_ws_connections')).toBe(1);
    expect(value(after, 'exchange_ws_subscriptions')).toBe(1);
    expect(value(after, 'exchange_ws_disconnects_total', { reason: 'normal' })).toBe(1);
    expect(value(after, 'exchange_webhook_deliveries_pending', { type: 'lease.provision' })).toBe(1);
    expect(
      value(after, 'exchange_webhook_oldest_pending_seconds', { type: 'lease.provision' }),
    ).toBeGreaterThan(0);
    const utilization = value(after, 'exchange_event_loop_utilization');
    expect(utilization).toBeGreaterThan(0);
    expect(utilization).toBeLessThanOrEqual(1);
    client.close();
  });

  it("the deploy folder's alerts and dashboard read only metrics the exchange exposes", async () => {
    const families = await scrape(api);
    const root = join(__dirname, '..', '..', 'deploy');
    const alerts = YAML.parse(readFileSync(join(root, 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const dashboard = JSON.parse(
      readFileSync(join(root, 'grafana', 'dashboards', 'exchange.json'), 'utf8'),
    ) as {
      panels: { targets: { expr: string }[] }[];
    };
    const expressions = [
      ...alerts.groups.flatMap((g) => g.rules.map((r) => r.expr)),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ];
    const names = new Set(
      expressions
        .flatMap((e) => e.match(/exchange_[a-z_]+/g) ?? [])
        .map((n) => n.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(names.size).toBeGreaterThanOrEqual(10);
    expect([...names].filter((n) => !families.has(n))).toEqual([]);
    const alertNames = alerts.groups.flatMap((g) => g.rules.map((r) => r.alert));
    for (const required of [
      'ExchangeNoLeader',
      'ExchangeOutboxStuck',
      'ExchangeWebhookDeliveriesPendingTooLong',
      'ExchangeCommitLatencyHigh',
    ])
      expect(alertNames).toContain(required);
  });

  it('logs JSON lines with the request id and the account id, and never a key or a secret', async () => {
    const trader = await api.account('logged trader', ['trade', 'read'], '10');
    const bare = trader.key.replace('Bearer ', '');
    const response = await api.http
      .get('/v1/account')
      .set('Authorization', trader.key)
      .set('x-request-id', 'trace-42')
      .expect(200);
    expect(response.headers['x-request-id']).toBe('trace-42');
    const fresh = await api.http.get('/v1/account').set('Authorization', trader.key).expect(200);
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const lines = exchange.log.split('\n').filter((line) => line.trim() !== '');
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line.slice(0, 200)}`);
      }
    });
    const request = records.find((r) => (r.req as { id?: string } | undefined)?.id === 'trace-42');
    expect(request).toMatchObject({
      accountId: trader.id,
      req: { method: 'GET', url: '/v1/account' },
      res: { statusCode: 200 },
    });
    expect(exchange.log).not.toContain(bare);
    expect(exchange.log).not.toContain(exchange.adminKey);
    expect(exchange.log).not.toContain('whsec_');
  });
});
