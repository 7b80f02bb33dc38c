import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * `npm run bench:recovery [-- --orders N] [--pg URL] [--exchange DIR]`
 *
 * How long the exchange takes to rebuild its memory from PostgreSQL: it seeds a fresh database with N open
 * orders in one market (half bids, half asks, over a thousand price levels each, with the holds and the
 * cluster capacity they imply), starts the built exchange on it, and measures from the first query of the
 * state load (the writer's "loading the trading state" line) to the first book served, and from the process's
 * start; then the resident memory (now and peak). `--exchange DIR` runs another build (its `dist/src/main.js`),
 * to compare before and after on one machine; a build that does not log the load is measured from its start.
 *
 * `--failover N`: on the same seeded database, three nodes (one leads), and the leader killed with SIGKILL N times;
 * each time, how long from the kill to the first order acknowledged by the new leader (median and max).
 */
interface Options {
  orders: number;
  pg: string;
  exchange: string;
  /** Writes the measured start's CPU profile here. */
  profile: string | null;
  /** Leader kills to time (0: measure the rebuild instead). */
  failover: number;
}

const SYMBOL = 'H100-SXM.us-east.firm';
const ADMIN_KEY = 'bench-admin-key-0123456789';

function parseArgs(argv: string[]): Options {
  const options: Options = {
    orders: 1_000_000,
    pg: 'postgres://postgres@127.0.0.1:5432',
    exchange: join(__dirname, '..', '..', '..'),
    profile: null,
    failover: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--orders') options.orders = Math.min(5_000_000, Math.max(2, Number(argv[++i])));
    else if (arg === '--pg') options.pg = argv[++i];
    else if (arg === '--exchange') options.exchange = argv[++i];
    else if (arg === '--profile') options.profile = argv[++i];
    else if (arg === '--failover') options.failover = Math.min(50, Math.max(1, Number(argv[++i])));
    else if (arg === '--help') {
      console.log(
        'usage: bench:recovery [--orders N (default 1000000)] [--pg URL] [--exchange DIR] [--profile DIR] ' +
          '[--failover KILLS]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (!/^postgres(ql)?:\/\/[^/]*(127\.0\.0\.1|localhost)/.test(options.pg))
    throw new Error('--pg must be a PostgreSQL on 127.0.0.1');
  return options;
}

interface Started {
  child: ChildProcess;
  url: string;
  startedAt: number;
  /** When the writer's "loading the trading state" line arrived (null for a build without it). */
  loadingAt: () => number | null;
  log: () => string;
}

async function start(exchange: string, databaseUrl: string, profile: string | null = null): Promise<Started> {
  const startedAt = Date.now();
  const profiling = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=64', ...profiling, join(exchange, 'dist', 'src', 'main.js')],
    {
      cwd: exchange,
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        ADMIN_API_KEY: ADMIN_KEY,
        PROVISIONER: 'instant',
        // To compare lease settings in --failover runs.
        ...(process.env.LEADER_LEASE_MS ? { LEADER_LEASE_MS: process.env.LEADER_LEASE_MS } : {}),
        ...(process.env.LEADER_HEARTBEAT_MS ? { LEADER_HEARTBEAT_MS: process.env.LEADER_HEARTBEAT_MS } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let loadingAt: number | null = null;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (loadingAt === null && out.includes('loading the trading state')) loadingAt = Date.now();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exchange exited with ${code}:\n${out.slice(-2000)}`)));
  });
  return { child, url, startedAt, loadingAt: () => loadingAt, log: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function post(
  url: string,
  path: string,
  body: object,
  key = ADMIN_KEY,
): Promise<Record<string, string>> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

/** Accounts and a cluster through the API, then the open orders, holds and capacity straight in SQL. */
async function seed(options: Options, databaseUrl: string): Promise<{ buyerKey: string }> {
  const setup = await start(options.exchange, databaseUrl);
  const buyer = await post(setup.url, '/v1/admin/accounts', { name: 'bench buyer', scopes: ['trade'] });
  const seller = await post(setup.url, '/v1/admin/accounts', { name: 'bench seller', scopes: ['sell'] });
  const cluster = await post(
    setup.url,
    '/v1/clusters',
    {
      name: 'bench',
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 64,
      webhookUrl: 'http://127.0.0.1:9/hook',
    },
    seller.apiKey,
  );
  await stop(setup.child);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const bids = Math.floor(options.orders / 2);
  await db.query(
    `insert into orders (id, account_id, symbol, side, type, price, hold_price, quantity, filled_quantity,
                         notional_filled, duration_hours, time_in_force, post_only, self_trade_prevention, status,
                         priority, created_at, updated_at)
     select g, case when g <= $1 then $2::uuid else $3::uuid end, $4, case when g <= $1 then 'buy' else 'sell' end,
            'limit', case when g <= $1 then 1 + (g % 1000) * 0.001 else 3 + (g % 1000) * 0.001 end,
            case when g <= $1 then 1 + (g % 1000) * 0.001 end, 8, 0, 0, case when g <= $1 then 1 end, 'GTC', false,
            'cancel_newest', 'open', g, now(), now()
       from generate_series(1, $5::int) g`,
    [bids, buyer.id, seller.id, SYMBOL, options.orders],
  );
  await db.query(`update orders set cluster_id = $1 where side = 'sell'`, [cluster.id]);
  await db.query(`update clusters set gpu_count = $2 where id = $1`, [
    cluster.id,
    (options.orders - bids) * 8,
  ]);
  const [{ held }] = (
    await db.query(`select coalesce(sum(hold_price * 8), 0) as held from orders where side = 'buy'`)
  ).rows;
  await db.query(`update balances set amount = $2 where account_id = $1 and book = 'held'`, [buyer.id, held]);
  await db.query(
    `update balances set amount = -$1::numeric where account_id = '00000000-0000-0000-0000-000000000000' and book = 'deposits'`,
    [held],
  );
  await db.query(`update trading_writer set next_priority = $1`, [options.orders + 1]).catch(() => {});
  // As a database that has been running a while: hint bits set, statistics current, nothing left for autovacuum.
  await db.query('vacuum analyze');
  // The seed wrote some 400 MB: flush it now, so no checkpoint runs during the measured load.
  await db.query('checkpoint');
  await db.end();
  return { buyerKey: buyer.apiKey };
}

/** Whether the node leads and serves (its /ready answers 200, as the leader: followers serve too). */
const serves = (url: string) =>
  fetch(`${url}/ready`).then(
    async (r) => r.ok && ((await r.json()) as { role?: string }).role === 'leader',
    () => false,
  );

/** Kill the leader of three nodes `kills` times; from each kill to the first order the new leader acknowledges. */
async function failover(options: Options, databaseUrl: string, buyerKey: string): Promise<void> {
  let nodes = [await start(options.exchange, databaseUrl)];
  while (!(await serves(nodes[0].url))) await new Promise((resolve) => setTimeout(resolve, 50));
  const buyer = await fetch(`${nodes[0].url}/v1/account`, {
    headers: { authorization: `Bearer ${buyerKey}` },
  });
  const { id } = (await buyer.json()) as { id: string };
  await post(nodes[0].url, `/v1/admin/accounts/${id}/deposits`, { amount: '100000000' });
  nodes.push(await start(options.exchange, databaseUrl), await start(options.exchange, databaseUrl));
  const order = { symbol: SYMBOL, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 };
  const placed = async (url: string) =>
    fetch(`${url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${buyerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(order),
      signal: AbortSignal.timeout(10_000),
    }).then(
      (r) => r.status === 201,
      () => false,
    );
  const times: number[] = [];
  try {
    for (let kill = 0; kill < options.failover; kill++) {
      let leader: Started | undefined;
      for (const node of nodes) if (await serves(node.url)) leader = node;
      if (!leader) throw new Error('no node leads');
      const exited = new Promise((resolve) => leader?.child.once('exit', resolve));
      leader.child.kill('SIGKILL');
      const killedAt = Date.now();
      await exited;
      nodes = nodes.filter((n) => n !== leader);
      let acked = false;
      while (!acked && Date.now() - killedAt < 60_000) {
        for (const node of nodes) if (!acked) acked = await placed(node.url);
      }
      if (!acked) throw new Error('no order was acknowledged within 60 s of the kill');
      times.push(Date.now() - killedAt);
      nodes.push(await start(options.exchange, databaseUrl));
    }
  } finally {
    for (const node of nodes) node.child.kill('SIGKILL');
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      openOrders: options.orders,
      kills: times.length,
      killToFirstAckMs: {
        median: sorted[Math.floor(sorted.length / 2)],
        max: sorted[sorted.length - 1],
        all: times,
      },
      node: process.version,
      at: new Date().toISOString(),
    }),
  );
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const name = `bench_recovery_${Date.now()}`;
  const admin = new Client({ connectionString: `${options.pg}/postgres` });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const databaseUrl = `${options.pg}/${name}`;
  try {
    const { buyerKey } = await seed(options, databaseUrl);
    if (options.failover > 0) return await failover(options, databaseUrl, buyerKey);
    const exchange = await start(options.exchange, databaseUrl, options.profile);
    const listenedAt = Date.now();
    let book: { bids: unknown[]; asks: unknown[] } = { bids: [], asks: [] };
    for (let i = 0; i < 6000 && book.bids.length === 0; i++) {
      const res = await fetch(`${exchange.url}/v1/markets/${SYMBOL}/book?depth=5`);
      if (res.ok) book = (await res.json()) as typeof book;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const servedAt = Date.now();
    if (book.bids.length === 0 || book.asks.length === 0) throw new Error('the book was never served');
    const memory = memoryOf(exchange.child.pid as number);
    const loadingAt = exchange.loadingAt();
    const loadLine = /trading state loaded in (\d+) ms/.exec(exchange.log());
    await stop(exchange.child);
    console.log(
      JSON.stringify({
        openOrders: options.orders,
        exchange: options.exchange,
        firstQueryToServingMs: loadingAt === null ? null : servedAt - loadingAt,
        stateLoadMs: loadLine ? Number(loadLine[1]) : null,
        processStartToServingMs: servedAt - exchange.startedAt,
        processStartToListeningMs: listenedAt - exchange.startedAt,
        residentMb: memory.rssMb,
        peakResidentMb: memory.peakMb,
        node: process.version,
        at: new Date().toISOString(),
      }),
    );
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
