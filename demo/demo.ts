import { ExchangeSocket, createRestClient, unwrap, type Lease } from '@gpu-hour-exchange/client';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterAgent } from '../src/cluster-agent/cluster-agent';
import { startBuyer } from './bots/buyer';
import { startMarketMaker } from './bots/market-maker';

const HELP = `usage: npm run demo [-- --port 8080] [--duration SECONDS]
Starts the exchange on embedded defaults (a fresh PGlite database in a temporary directory, the in-process event
bus), three sellers whose clusters are reference cluster agents, their quoting bots and two buyers, all written
with the SDK. Open the printed address for the trader's page. Ctrl-C (or --duration) stops it all.`;

/** The sellers: one market each, a cluster run by a reference agent, and where their quotes start. */
const SELLERS = [
  { name: 'Northwind Cloud', gpu: 'H100-SXM', region: 'us-east', gpus: 256, price: 2.1 },
  { name: 'Fjord Compute', gpu: 'H200-SXM', region: 'eu-west', gpus: 128, price: 3.2 },
  { name: 'Mesa AI', gpu: 'B200', region: 'us-west', gpus: 128, price: 4.6 },
];

const log = (line: string) => process.stdout.write(`demo: ${line}\n`);

async function startExchange(port: number, adminKey: string, dataDir: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_API_KEY: adminKey,
  };
  // Embedded defaults, whatever this shell points at: the demo never writes to a real database or broker.
  delete env.DATABASE_URL;
  delete env.KAFKA_BROKERS;
  env.DATA_DIR = dataDir;
  const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exchange = child;
  // Its log is kept (the last of it) for when it fails to start, and otherwise drained.
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the exchange exited (${code}):\n${output.slice(-2000)}`)));
  });
  for (let i = 0; i < 300; i++) {
    if (
      (await fetch(`${url}/ready`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return { url };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the exchange at ${url} did not become ready`);
}

/** What runs beside the exchange (stopped together, before it); what the bots saw, for the summary. */
const stops: (() => Promise<void>)[] = [];
const trades = new Map<string, number>();
const leases = new Map<string, Lease>();
let exchange: ChildProcess | null = null;
let dataDir: string | null = null;
let stopping: Promise<void> | null = null;

function summary() {
  const bySymbol = (status: string) => {
    const counts: Record<string, number> = {};
    for (const lease of leases.values())
      if (lease.status === status) counts[lease.symbol] = (counts[lease.symbol] ?? 0) + 1;
    return counts;
  };
  return {
    trades: Object.fromEntries(trades),
    leasesActive: bySymbol('active'),
    leasesReleased: bySymbol('released'),
  };
}

/** Stops the bots, the agents, then the exchange (SIGTERM, and waits), and removes the demo's database. */
function stop(why: string): Promise<void> {
  stopping ??= (async () => {
    log(`stopping (${why})`);
    await Promise.all(stops.map((stopOne) => stopOne().catch((error: unknown) => log(String(error)))));
    if (exchange && exchange.exitCode === null && exchange.signalCode === null) {
      const exited = new Promise((resolve) => exchange?.once('exit', resolve));
      exchange.kill('SIGTERM');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    log(`stopped cleanly: ${JSON.stringify(summary())}`);
  })();
  return stopping;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, duration: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) return void process.stdout.write(`${HELP}\n`);
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  const duration = values.duration === undefined ? null : Number(values.duration);
  const adminKey = process.env.ADMIN_API_KEY ?? randomBytes(24).toString('hex');
  dataDir = mkdtempSync(join(tmpdir(), 'gpu-exchange-demo-'));
  process.once('SIGINT', () => void stop('Ctrl-C').then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop('SIGTERM').then(() => process.exit(0)));

  const { url } = await startExchange(port, adminKey, dataDir);
  const admin = createRestClient({ baseUrl: url, apiKey: adminKey });
  const account = async (name: string, scopes: ('trade' | 'sell' | 'read')[], deposit?: string) => {
    const created = await unwrap(admin.POST('/v1/admin/accounts', { body: { name, scopes } }));
    if (deposit)
      await unwrap(
        admin.POST('/v1/admin/accounts/{id}/deposits', {
          params: { path: { id: created.id } },
          body: { amount: deposit },
        }),
      );
    return created;
  };

  const symbols: string[] = [];
  for (const seller of SELLERS) {
    const symbol = `${seller.gpu}.${seller.region}.firm`;
    symbols.push(symbol);
    const owner = await account(seller.name, ['sell', 'read']);
    // The seller's cluster: a reference agent that takes a moment to hand GPUs over, and checks them first.
    const agent = await ClusterAgent.start({
      port: 0,
      host: '127.0.0.1',
      secret: null,
      gpuCount: seller.gpus,
      exchangeUrl: url,
      sshHost: `login.${seller.name.toLowerCase().replace(/\W+/g, '-')}.example`,
      behavior: { mode: 'async', delayMs: 1500, failNext: 0, checks: 'pass' },
    });
    stops.push(() => agent.stop());
    const cluster = await unwrap(
      createRestClient({ baseUrl: url, apiKey: owner.apiKey }).POST('/v1/clusters', {
        body: {
          name: `${seller.name} ${seller.gpu}`,
          gpu: seller.gpu,
          region: seller.region,
          gpuCount: seller.gpus,
          webhookUrl: agent.webhookUrl,
        },
      }),
    );
    agent.secret = cluster.webhookSecret;
    const maker = await startMarketMaker({
      url,
      apiKey: owner.apiKey,
      symbol,
      clusterId: cluster.id,
      startPrice: seller.price,
      log,
    });
    stops.push(() => maker.stop());
  }

  for (const name of ['Lab A', 'Lab B']) {
    const buyer = await account(name, ['trade', 'read'], '1000000');
    const bot = await startBuyer({
      url,
      apiKey: buyer.apiKey,
      symbols,
      log,
      onLease: (lease) => leases.set(lease.id, lease),
    });
    stops.push(() => bot.stop());
  }

  const tape = new ExchangeSocket({ url });
  tape.on('trade', (trade) => trades.set(trade.symbol, (trades.get(trade.symbol) ?? 0) + 1));
  for (const symbol of symbols) tape.subscribe('trades', symbol);
  await tape.connect();
  stops.push(async () => tape.close());

  const report = setInterval(() => log(JSON.stringify(summary())), 10_000);
  stops.push(async () => clearInterval(report));

  log(`the exchange is on ${url}: open ${url}/#${symbols[0]} for the trader's page (Ctrl-C stops the demo)`);
  log(`markets: ${symbols.join(', ')}; admin key ${adminKey}`);
  if (duration !== null) {
    setTimeout(() => void stop(`${duration} s are up`).then(() => process.exit(0)), duration * 1000);
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stop('it failed to start');
  process.exit(1);
});
