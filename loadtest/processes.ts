import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** The processes a load test starts: the built exchange on a fresh PostgreSQL database, and the cluster agent. */

/**
 * Starts the built exchange on a fresh database, as `nodes` processes on it: the first leads, the others follow
 * (each ready once it serves the leader's stream). Returns their URLs (the leader's first) and how to stop them.
 */
export async function startExchange(
  pg: string,
  profile: string | null,
  kafka: string | null,
  provisioner: 'instant' | 'webhook',
  nodes = 1,
): Promise<{
  url: string;
  urls: string[];
  /** CPU seconds (user + system) each node has used so far, from /proc (Linux). */
  cpuSeconds: () => number[];
  adminKey: string;
  leases: () => Promise<Record<string, number>>;
  stop: () => Promise<void>;
}> {
  const name = `loadtest_${Date.now()}`;
  const admin = new Client({ connectionString: `${pg}/postgres` });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const adminKey = 'loadtest-admin-key-0123456789';
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < nodes; i++) {
    const { child, url } = await startNode(
      `${pg}/${name}`,
      adminKey,
      i === 0 ? profile : null,
      kafka,
      provisioner,
      name,
    );
    children.push(child);
    urls.push(url);
    await untilReady(url);
  }
  return {
    url: urls[0],
    urls,
    cpuSeconds: () => children.map((child) => cpuSecondsOf(child.pid as number)),
    adminKey,
    /** Leases by status, and webhook deliveries by status (prefixed `webhook.`). */
    async leases() {
      const c = new Client({ connectionString: `${pg}/${name}` });
      await c.connect();
      const rows: { what: string; n: string }[] = (
        await c.query(
          `select status as what, count(*) as n from leases group by status
           union all select 'webhook.' || status, count(*) from webhook_deliveries group by status`,
        )
      ).rows;
      await c.end();
      return Object.fromEntries(rows.map((r) => [r.what, Number(r.n)]));
    },
    async stop() {
      // Followers first: the leader's stream ending must not look like a failover to them.
      for (const child of children.reverse()) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      const c = new Client({ connectionString: `${pg}/postgres` });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function startNode(
  databaseUrl: string,
  adminKey: string,
  profile: string | null,
  kafka: string | null,
  provisioner: 'instant' | 'webhook',
  name: string,
): Promise<{ child: ChildProcess; url: string }> {
  const profiling = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const main = join(__dirname, '..', 'src', 'main.js');
  // As `npm start` runs it: a larger young generation makes garbage collection cheaper at high order rates.
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=64', ...profiling, main], {
    env: {
      ...process.env,
      NO_COLOR: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      ADMIN_API_KEY: adminKey,
      KAFKA_BROKERS: kafka ?? '',
      KAFKA_TOPIC_PREFIX: `${name}.`,
      PROVISIONER: provisioner,
      RATE_LIMIT_PER_SECOND: '10000000',
      KEY_RATE_LIMIT_PER_SECOND: '10000000',
      WS_MESSAGES_PER_SECOND: '10000000',
      // Every client connects from 127.0.0.1.
      WS_CONNECTIONS_PER_ADDRESS: '100000',
      WS_NEW_CONNECTIONS_PER_ADDRESS: '100000',
      WS_CONNECTIONS_PER_KEY: '100000',
      WS_QUEUED_BYTES: String(64 * 1024 * 1024),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`exchange exited with ${code}`)));
  });
  return { child, url };
}

/** User plus system CPU time of a process, in seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Until the node's `/ready` answers 200 (at most 60 s). */
async function untilReady(url: string): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const status = await fetch(`${url}/ready`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not become ready`);
}

/**
 * The reference cluster agent in its own process, serving `clusters` clusters of one seller, each of 1,000,000
 * GPUs (so capacity is as in instant mode, where each seller has its own cluster of that size).
 */
export async function startAgent(
  url: string,
  sellerKey: string,
  clusters: number,
): Promise<{ clusters: string[]; urls: string[]; stop(): void }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'cluster-agent', 'main.js')], {
    env: {
      ...process.env,
      AGENT_PORT: '0',
      AGENT_CLUSTERS: String(clusters),
      AGENT_API_KEY: sellerKey,
      AGENT_EXCHANGE_URL: url,
      AGENT_GPUS: '1000000',
      AGENT_GPU: 'H100-SXM',
      AGENT_REGION: 'us-east',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = await new Promise<{ clusters: string[]; urls: string[] }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ids = [...out.matchAll(/registered cluster (\S+):/g)].map((m) => m[1]);
      const urls = [...out.matchAll(/webhooks on (http:\/\/[\d.]+:\d+)/g)].map((m) => m[1]);
      if (ids.length === clusters) resolve({ clusters: ids, urls });
    });
    child.on('exit', (code) => reject(new Error(`cluster agent exited with ${code}`)));
  });
  return { ...started, stop: () => child.kill('SIGTERM') };
}
