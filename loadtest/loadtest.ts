import { ExchangeError, ExchangeSocket, createRestClient, unwrap } from '@gpu-hour-exchange/client';
import * as hdr from 'hdr-histogram-js';
import { writeFileSync } from 'node:fs';
import { watchOutbox } from './outbox-lag';
import { startAgent, startExchange } from './processes';
import { subscribers } from './subscribers';

/**
 * `npm run loadtest -- [options]`: drives a running exchange (or one it starts on a fresh PostgreSQL database)
 * over WebSocket from 127.0.0.1, and reports what it measured. Every run is bounded in time and in orders.
 */
const HELP = `usage: npm run loadtest -- [options]
  --mode orders|fanout      orders: place and cancel orders; fanout: many subscribers to one busy book (orders)
  --url URL                 target a running exchange (with --admin-key); default: start one on a fresh
                            PostgreSQL database at --pg
  --pg URL                  PostgreSQL server for the started exchange (default postgres://postgres@127.0.0.1:5432)
  --admin-key KEY           the target's admin key (default: the started exchange's)
  --clients N               WebSocket clients placing orders (default 50)
  --pipeline N              requests each client keeps outstanding (default 1)
  --rate N                  orders per second offered in total; 0 = as fast as acks allow (default 0)
  --duration S              seconds of load, at most 300 (default 20)
  --max-orders N            stop after this many orders (default 2000000)
  --symbols N               markets to spread orders over (default 3)
  --subscribers N           fanout: book subscribers (default 1000), spread over the nodes
  --nodes N                 the started exchange runs as N nodes on one database (default 1; 1 leader, the
                            others followers serving from its stream)
  --entry leader|follower   where the order clients connect (default leader; follower needs --nodes 2+)
  --seed N                  seeds the order mix (default 1)
  --client-order-ids        every order carries a clientOrderId (the SDK's default; the exchange then checks
                            each against the account's earlier orders); default: none, as before the SDK
  --report FILE             write the JSON report there (default loadtest-report.json)
  --profile DIR             run the started exchange with --cpu-prof, writing its CPU profile into DIR
  --kafka BROKERS           the started exchange publishes its events to these Kafka brokers (loopback only)
  --provisioner P           instant (default: leases active at once) or webhook (every trade's lease is
                            provisioned by the reference cluster agent, started on loopback)
The report includes the settlement events: published per second, and the outbox lag (events waiting, the
oldest one's age) sampled every second and after the load until it drains (at most 60 s).`;

interface Options {
  mode: 'orders' | 'fanout';
  url: string | null;
  pg: string;
  adminKey: string | null;
  clients: number;
  pipeline: number;
  rate: number;
  duration: number;
  maxOrders: number;
  symbols: number;
  subscribers: number;
  seed: number;
  clientOrderIds: boolean;
  report: string;
  profile: string | null;
  kafka: string | null;
  provisioner: 'instant' | 'webhook';
  nodes: number;
  entry: 'leader' | 'follower';
}

function parse(argv: string[]): Options {
  const o: Options = {
    mode: 'orders',
    url: null,
    pg: 'postgres://postgres@127.0.0.1:5432',
    adminKey: null,
    clients: 50,
    pipeline: 1,
    rate: 0,
    duration: 20,
    maxOrders: 2_000_000,
    symbols: 3,
    subscribers: 1000,
    seed: 1,
    clientOrderIds: false,
    report: 'loadtest-report.json',
    profile: null,
    kafka: null,
    provisioner: 'instant',
    nodes: 1,
    entry: 'leader',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const number = () => {
      i++;
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
      return n;
    };
    if (flag === '--help') {
      console.log(HELP);
      process.exit(0);
    } else if (flag === '--mode') {
      if (value !== 'orders' && value !== 'fanout') throw new Error('--mode is orders or fanout');
      o.mode = value;
      i++;
    } else if (flag === '--url') o.url = (i++, value);
    else if (flag === '--pg') o.pg = (i++, value);
    else if (flag === '--admin-key') o.adminKey = (i++, value);
    else if (flag === '--clients') o.clients = Math.max(1, number());
    else if (flag === '--pipeline') o.pipeline = Math.max(1, Math.min(100, number()));
    else if (flag === '--rate') o.rate = number();
    else if (flag === '--duration') o.duration = Math.min(300, Math.max(1, number()));
    else if (flag === '--max-orders') o.maxOrders = number();
    else if (flag === '--symbols') o.symbols = Math.max(1, number());
    else if (flag === '--subscribers') o.subscribers = number();
    else if (flag === '--seed') o.seed = number();
    else if (flag === '--client-order-ids') o.clientOrderIds = true;
    else if (flag === '--report') o.report = (i++, value);
    else if (flag === '--profile') o.profile = (i++, value);
    else if (flag === '--kafka') o.kafka = (i++, value);
    else if (flag === '--nodes') o.nodes = Math.max(1, Math.min(4, number()));
    else if (flag === '--entry') {
      if (value !== 'leader' && value !== 'follower') throw new Error('--entry is leader or follower');
      o.entry = value;
      i++;
    } else if (flag === '--provisioner') {
      if (value !== 'instant' && value !== 'webhook') throw new Error('--provisioner is instant or webhook');
      o.provisioner = value;
      i++;
    } else throw new Error(`unknown option ${flag}\n${HELP}`);
  }
  if (o.entry === 'follower' && o.nodes < 2) throw new Error('--entry follower needs --nodes 2 or more');
  if (o.nodes > 1 && o.url) throw new Error('--nodes starts the exchange: not with --url');
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'];
  const host = o.url ? new URL(o.url).hostname : '127.0.0.1';
  if (!loopback.includes(host)) throw new Error('the load test only targets loopback');
  for (const broker of o.kafka?.split(',') ?? []) {
    if (!loopback.includes(broker.replace(/:\d+$/, '')))
      throw new Error('--kafka brokers must be on loopback');
  }
  return o;
}

interface Trader {
  key: string;
  side: 'buy' | 'sell';
  cluster: string | null;
}

/** Buyers with money, and sellers with clusters (with the webhook provisioner: one seller, the agent's clusters). */
async function setup(
  url: string,
  adminKey: string,
  clients: number,
  provisioner: Options['provisioner'],
): Promise<{ traders: Trader[]; agent: Awaited<ReturnType<typeof startAgent>> | null }> {
  const admin = createRestClient({ baseUrl: url, apiKey: adminKey });
  const account = (name: string, scopes: ('trade' | 'sell')[]) =>
    unwrap(admin.POST('/v1/admin/accounts', { body: { name, scopes } }));
  const traders: Trader[] = [];
  let agent: Awaited<ReturnType<typeof startAgent>> | null = null;
  if (provisioner === 'webhook') {
    const seller = await account('load-agent-seller', ['sell']);
    agent = await startAgent(url, seller.apiKey, Math.floor(clients / 2));
    for (const cluster of agent.clusters) traders.push({ key: seller.apiKey, side: 'sell', cluster });
  }
  for (let i = 0; i < clients; i++) {
    const side = i % 2 === 0 ? 'buy' : 'sell';
    if (side === 'sell' && agent) continue;
    const trader = await account(`load-${i}`, [side === 'buy' ? 'trade' : 'sell']);
    if (side === 'buy') {
      await unwrap(
        admin.POST('/v1/admin/accounts/{id}/deposits', {
          params: { path: { id: trader.id } },
          body: { amount: '1000000000' },
        }),
      );
      traders.push({ key: trader.apiKey, side, cluster: null });
    } else {
      const own = createRestClient({ baseUrl: url, apiKey: trader.apiKey });
      const cluster = await unwrap(
        own.POST('/v1/clusters', {
          body: {
            name: `load-${i}`,
            gpu: 'H100-SXM',
            region: 'us-east',
            gpuCount: 1_000_000,
            webhookUrl: 'http://127.0.0.1:9/x',
          },
        }),
      );
      traders.push({ key: trader.apiKey, side, cluster: cluster.id });
    }
  }
  return { traders, agent };
}

const SYMBOLS = ['H100-SXM.us-east.firm', 'H100-SXM.us-east.int'];

function rng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    return (a >>> 0) / 4294967296;
  };
}

/** One client: sends orders (and cancels of its own resting ones), one at a time or paced, until told to stop. */
async function runClient(
  url: string,
  trader: Trader,
  symbols: string[],
  perClientRate: number,
  pipeline: number,
  assignClientOrderIds: boolean,
  seed: number,
  until: { stop: boolean; budget: number },
  record: (micros: number, error: string | null) => void,
): Promise<void> {
  // The SDK's client, as a trader would use it; a drop is an error to see, so it does not reconnect. Orders go
  // without clientOrderIds unless --client-order-ids (each one is checked against the account's earlier orders).
  const socket = new ExchangeSocket({
    url,
    apiKey: trader.key,
    reconnect: false,
    requestTimeoutMs: 120_000,
    assignClientOrderIds,
  });
  await socket.connect();
  const random = rng(seed);
  const resting: string[] = [];
  const start = performance.now();
  let sent = 0;
  const lane = async () => {
    while (!until.stop && until.budget > 0) {
      if (perClientRate > 0) {
        const due = start + (sent / perClientRate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      until.budget--;
      sent++;
      const t0 = performance.now();
      let error: string | null = null;
      const refused = (e: unknown) => {
        error = e instanceof ExchangeError ? e.code : String(e);
        return null;
      };
      if (resting.length > 20 && random() < 0.3) {
        await socket
          .cancel({ orderId: resting.splice(Math.floor(random() * resting.length), 1)[0] })
          .catch(refused);
      } else {
        const symbol = symbols[Math.floor(random() * symbols.length)];
        const crossing = random() < 0.1;
        const offset = crossing ? -Math.floor(random() * 3) : 1 + Math.floor(random() * 30);
        const cents = trader.side === 'buy' ? 200 - offset : 200 + offset;
        const order = await socket
          .place({
            symbol,
            side: trader.side,
            type: 'limit',
            price: (cents / 100).toFixed(2),
            quantity: 8 * (1 + Math.floor(random() * 4)),
            ...(trader.side === 'buy'
              ? { durationHours: 1 + Math.floor(random() * 8) }
              : { clusterId: trader.cluster as string }),
          })
          .catch(refused);
        if (order?.status === 'open') resting.push(order.id);
      }
      record(Math.round((performance.now() - t0) * 1000), error);
    }
  };
  await Promise.all(Array.from({ length: pipeline }, lane));
  socket.close();
}

async function ordersMode(url: string, traders: Trader[], o: Options) {
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const errors: Record<string, number> = {};
  let acked = 0;
  const until = { stop: false, budget: o.maxOrders };
  const symbols = SYMBOLS.slice(0, Math.min(o.symbols, SYMBOLS.length));
  const started = performance.now();
  const timer = setTimeout(() => (until.stop = true), o.duration * 1000);
  await Promise.all(
    traders.map((t, i) =>
      runClient(
        url,
        t,
        symbols,
        o.rate / traders.length,
        o.pipeline,
        o.clientOrderIds,
        o.seed * 1000 + i,
        until,
        (micros, error) => {
          if (error) errors[error] = (errors[error] ?? 0) + 1;
          else {
            acked++;
            histogram.recordValue(micros);
          }
        },
      ),
    ),
  );
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  const ms = (p: number) => Number((histogram.getValueAtPercentile(p) / 1000).toFixed(2));
  return {
    acked,
    ackedPerSec: Math.round(acked / seconds),
    seconds: Number(seconds.toFixed(1)),
    ackLatencyMs: {
      p50: ms(50),
      p99: ms(99),
      p999: ms(99.9),
      max: Number((histogram.maxValue / 1000).toFixed(2)),
    },
    errors,
  };
}

/** Many subscribers to one book, spread over `nodes` (a worker thread each), while orders go to `url`. */
async function fanoutMode(
  url: string,
  nodes: string[],
  traders: Trader[],
  o: Options,
  cpuSeconds: (() => number[]) | null,
) {
  const histogram = () =>
    hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 600_000,
      numberOfSignificantValueDigits: 3,
    });
  const threads = await Promise.all(
    nodes.map((node, i) =>
      subscribers({
        url: node,
        symbol: SYMBOLS[0],
        count: Math.floor(o.subscribers / nodes.length) + (i < o.subscribers % nodes.length ? 1 : 0),
      }),
    ),
  );
  const cpuBefore = cpuSeconds?.() ?? null;
  const load = await ordersMode(url, traders, { ...o, symbols: 1 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu = cpuSeconds && cpuBefore ? cpuSeconds().map((after, i) => after - cpuBefore[i]) : null;
  const counts = await Promise.all(threads.map((t) => t.stop()));
  const latency = histogram();
  const perNode = counts.map((c) => {
    const h = histogram();
    for (const [ms, n] of c.latencyMs) {
      h.recordValueWithCount(ms, n);
      latency.recordValueWithCount(ms, n);
    }
    return h;
  });
  const summary = (h: ReturnType<typeof histogram>) => ({
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    max: h.maxValue,
  });
  return {
    subscribers: o.subscribers,
    updatesReceived: counts.reduce((sum, c) => sum + c.received, 0),
    sequenceGaps: counts.reduce((sum, c) => sum + c.gaps, 0),
    deliveryLatencyMs: summary(latency),
    ...(nodes.length > 1
      ? {
          deliveryLatencyMsByNode: perNode.map((h, i) => ({
            node: i === 0 ? 'leader' : `follower ${i}`,
            ...summary(h),
          })),
        }
      : {}),
    // What each node's fan-out costs, whatever the cores it shares: its CPU over the load, and the updates its
    // subscribers received per CPU second.
    ...(cpu
      ? {
          nodeCpu: cpu.map((seconds, i) => ({
            node: i === 0 ? 'leader' : `follower ${i}`,
            cpuSeconds: Number(seconds.toFixed(2)),
            updatesPerCpuSecond: Math.round(counts[i].received / seconds),
          })),
        }
      : {}),
    load,
  };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const started = o.url ? null : await startExchange(o.pg, o.profile, o.kafka, o.provisioner, o.nodes);
  const nodes = started?.urls ?? [o.url as string];
  // Where orders go: the leader (first), or a follower.
  const url = o.entry === 'follower' ? nodes[1] : nodes[0];
  const adminKey = o.adminKey ?? started?.adminKey;
  if (!adminKey) throw new Error('--admin-key is needed with --url');
  let stopAgent: (() => void) | null = null;
  try {
    const { traders, agent } = await setup(url, adminKey, o.clients, o.provisioner);
    stopAgent = agent?.stop ?? null;
    const events = watchOutbox(nodes[0], adminKey);
    const result =
      o.mode === 'orders'
        ? await ordersMode(url, traders, o)
        : await fanoutMode(url, nodes, traders, o, started?.cpuSeconds ?? null);
    const settlementEvents = await events.finish();
    // What the cluster holds at the end: every lease the run opened and provisioned (none end within a run).
    let provisioned: number | null = null;
    for (const agentUrl of agent?.urls ?? []) {
      const state = (await (await fetch(`${agentUrl}/state`)).json()) as { allocations: unknown[] };
      provisioned = (provisioned ?? 0) + state.allocations.length;
    }
    const report = {
      mode: o.mode,
      clients: o.clients,
      nodes: o.nodes,
      entry: o.entry,
      pipeline: o.pipeline,
      clientOrderIds: o.clientOrderIds,
      offeredRate: o.rate === 0 ? 'as fast as acks allow' : o.rate,
      durationS: o.duration,
      node: process.version,
      at: new Date().toISOString(),
      ...result,
      settlementEvents,
      provisioner: o.provisioner,
      ...(provisioned === null ? {} : { leasesProvisionedByAgent: provisioned }),
      ...(started ? { leases: await started.leases() } : {}),
    };
    writeFileSync(o.report, JSON.stringify(report, null, 2));
    console.log(JSON.stringify(report));
  } finally {
    stopAgent?.();
    await started?.stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
