import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const GPUX = join(__dirname, '..', '..', 'packages', 'client', 'bin', 'gpux.js');
const SYMBOL = 'H100-SXM.us-east.firm';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('gpux, the command line, as child processes against a running exchange', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let agent: ClusterAgent;
  let seller: { id: string; key: string };
  let buyer: { id: string; key: string };
  let configDir: string;
  const children: ChildProcess[] = [];

  const env = (key: string | null, extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    GPUX_URL: exchange.url,
    GPUX_CONFIG: join(configDir, 'none.json'),
    ...(key ? { GPUX_API_KEY: key.replace('Bearer ', '') } : {}),
    ...extra,
  });

  const start = (args: string[], key: string | null, extra: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [GPUX, ...args], {
      env: env(key, extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return child;
  };

  const gpux = (args: string[], key: string | null, extra: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      const child = start(args, key, extra);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'gpux-'));
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database);
    api = new Api(exchange);
    seller = await api.account('cloud', ['sell', 'read']);
    buyer = await api.account('lab', ['trade', 'read'], '100000');
    agent = await ClusterAgent.start({
      port: 0,
      host: '127.0.0.1',
      secret: null,
      gpuCount: 128,
      exchangeUrl: exchange.url,
      sshHost: 'login.test.internal',
      // It answers the hook at once and reports active a moment later, so the buyer sees provisioning first.
      behavior: { mode: 'async', delayMs: 1500, failNext: 0, checks: 'pass' },
    });
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await agent?.stop();
    await exchange?.stop();
    await database?.drop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('a seller lists a cluster, then sells its GPUs', async () => {
    const added = await gpux(
      [
        'clusters',
        'add',
        '--name',
        'rack 1',
        '--gpu',
        'H100-SXM',
        '--region',
        'us-east',
        '--gpus',
        '128',
        '--webhook',
        agent.webhookUrl,
        '--json',
      ],
      seller.key,
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const cluster = JSON.parse(added.stdout) as { id: string; webhookSecret: string; gpuCount: number };
    expect(cluster).toMatchObject({ gpuCount: 128, webhookSecret: expect.any(String) });
    agent.secret = cluster.webhookSecret;

    const listed = await gpux(['clusters', 'list'], seller.key);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(cluster.id);
    expect(listed.stdout).toContain('rack 1');

    const sold = await gpux(
      ['sell', '--cluster', cluster.id, '--gpus', '64', '--price', '2.00', '--until', '48h', '--json'],
      seller.key,
    );
    expect(sold.code).toBe(0);
    expect(JSON.parse(sold.stdout)).toMatchObject({
      symbol: SYMBOL,
      side: 'sell',
      price: '2',
      quantity: 64,
      status: 'open',
    });
  });

  it('a buyer’s `buy --wait --yes --json` ends with an active lease and its access', async () => {
    const bought = await gpux(
      [
        'buy',
        '--gpu',
        'H100-SXM',
        '--region',
        'us-east',
        '--gpus',
        '16',
        '--hours',
        '2',
        '--max-price',
        '2.10',
        '--yes',
        '--wait',
        '--json',
      ],
      buyer.key,
    );
    expect(bought.code).toBe(0);
    // What it held, then each step on stderr; the result alone on stdout.
    expect(bought.stderr).toContain('This holds 67.2 USD of your 100000 USD available');
    // The lease is seen on its way (provisioning, or verifying once the cluster took the hook), then active.
    expect(bought.stderr).toMatch(
      /lease (\S+) \(16 GPUs, H100-SXM.us-east.firm\): (provisioning|verifying)\n(.*\n)*lease \1 \(16 GPUs, H100-SXM.us-east.firm\): active\n/,
    );
    const result = JSON.parse(bought.stdout);
    expect(result).toMatchObject({
      delivered: true,
      order: { side: 'buy', status: 'filled', quantity: 16, price: '2.1', averagePrice: '2' },
      leases: [{ status: 'active', quantity: 16, price: '2', access: expect.objectContaining({}) }],
    });
    expect(Object.keys(result.leases[0].access).length).toBeGreaterThan(0);

    const leases = await gpux(['leases', result.leases[0].id, '--json'], buyer.key);
    expect(JSON.parse(leases.stdout)).toMatchObject({ id: result.leases[0].id, status: 'active' });
    const account = await gpux(['account', '--json'], buyer.key);
    expect(JSON.parse(account.stdout)).toMatchObject({ id: buyer.id, balance: { escrow: '64' } });
  });

  it('`book --watch` redraws when an order arrives', async () => {
    const watch = start(['book', SYMBOL, '--watch', '--json'], null);
    const frames: { sequence: number; asks: [string, number][] }[] = [];
    let pending = '';
    watch.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) frames.push(JSON.parse(line));
    });
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(check()).toBe(true);
    };
    await until(() => frames.length > 0);
    expect(frames[0].asks.some(([price]) => price === '2.55')).toBe(false);
    const clusterId = (await api.rest(seller.key).GET('/v1/clusters')).data?.[0].id as string;
    const placed = await gpux(['sell', '--cluster', clusterId, '--gpus', '8', '--price', '2.55'], seller.key);
    expect(placed.code).toBe(0);
    await until(() => frames.some((frame) => frame.asks.some(([price]) => price === '2.55')));
    const last = frames[frames.length - 1];
    expect(last.sequence).toBeGreaterThan(frames[0].sequence);
    watch.kill('SIGINT');

    const shown = await gpux(['book', SYMBOL], null);
    expect(shown.stdout).toMatch(/ask\s+2\.55\s+8/);
  });

  it('says what is wrong with bad flags, refused orders and unreachable exchanges, with distinct exit codes', async () => {
    const buyArgs = [
      'buy',
      '--gpu',
      'H100-SXM',
      '--region',
      'us-east',
      '--hours',
      '2',
      '--max-price',
      '2.10',
    ];
    const badNumber = await gpux([...buyArgs, '--gpus', 'lots', '--yes'], buyer.key);
    expect(badNumber).toMatchObject({ code: 2, stdout: '' });
    expect(badNumber.stderr).toContain('--gpus must be a positive whole number, got "lots"');

    const unknownFlag = await gpux(['markets', '--colour', 'red'], null);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("Unknown option '--colour'");

    expect((await gpux(['levitate'], null)).stderr).toContain('unknown command "levitate"');
    const noMarket = await gpux(
      [
        'buy',
        '--gpu',
        'H100-SXM',
        '--region',
        'mars',
        '--gpus',
        '8',
        '--hours',
        '2',
        '--max-price',
        '2',
        '--yes',
      ],
      buyer.key,
    );
    expect(noMarket.code).toBe(2);
    expect(noMarket.stderr).toContain('no market H100-SXM.mars.firm');

    const unconfirmed = await gpux([...buyArgs, '--gpus', '8'], buyer.key);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes');

    const poor = await api.account('poor', ['trade', 'read'], '1');
    const refused = await gpux([...buyArgs, '--gpus', '8', '--yes'], poor.key);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^gpux: INSUFFICIENT_FUNDS: /m);

    const badLot = await gpux([...buyArgs, '--gpus', '3', '--yes', '--json'], buyer.key);
    expect(badLot.code).toBe(1);
    // Progress is text on stderr; the error is its last line, as JSON.
    expect(JSON.parse(badLot.stderr.trim().split('\n').pop() as string)).toMatchObject({
      error: { code: 'INVALID_QUANTITY' },
    });

    const stranger = await gpux(['account'], 'gpx_not-a-key');
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain('gpux: UNAUTHORIZED: ');

    const nowhere = await gpux(['markets'], null, { GPUX_URL: 'http://127.0.0.1:9' });
    expect(nowhere.code).toBe(3);
    expect(nowhere.stderr).toContain('gpux: NETWORK: the exchange cannot be reached');
  });

  it('reads the URL and key from a profile file', async () => {
    const file = join(configDir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        profiles: {
          default: { url: exchange.url, apiKey: buyer.key.replace('Bearer ', '') },
          seller: { url: exchange.url, apiKey: seller.key.replace('Bearer ', '') },
        },
      }),
    );
    const noEnv = { GPUX_CONFIG: file, GPUX_URL: '' };
    const asBuyer = await gpux(['account', '--json'], null, { ...noEnv });
    expect(JSON.parse(asBuyer.stdout)).toMatchObject({ id: buyer.id });
    const asSeller = await gpux(['account', '--json', '--profile', 'seller'], null, { ...noEnv });
    expect(JSON.parse(asSeller.stdout)).toMatchObject({ id: seller.id });
    const missing = await gpux(['account', '--profile', 'nobody'], null, { ...noEnv });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no profile "nobody"');
  });
});
