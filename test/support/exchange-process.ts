import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..');
const ADMIN_KEY = 'e2e-admin-key-0123456789';

/** Where a test exchange keeps its data: a fresh PostgreSQL database (E2E_DATABASE=postgres) or a PGlite dir. */
export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<TestDatabase> {
  if (process.env.E2E_DATABASE === 'postgres') {
    const server = process.env.E2E_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
    const name = `exchange_e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    return {
      env: { DATABASE_URL: `${server}/${name}` },
      async drop() {
        const c = new Client({ connectionString: `${server}/postgres` });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'exchange-e2e-'));
  return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** The real exchange (`dist/src/main.js`, built by `npm test`) in a child process on a free loopback port. */
export class ExchangeProcess {
  readonly adminKey = ADMIN_KEY;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(database: TestDatabase, env: Record<string, string> = {}): Promise<ExchangeProcess> {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_API_KEY: ADMIN_KEY,
        RATE_LIMIT_PER_SECOND: '100000',
        KEY_RATE_LIMIT_PER_SECOND: '100000',
        WS_MESSAGES_PER_SECOND: '100000',
        // Most suites' sellers point their clusters at a closed port: they are not to be degraded for it (the
        // provisioning fairness suite sets its own).
        PROVISIONING_BREAKER_FAILURES: '1000000',
        PROVISIONING_DEPROVISION_ATTEMPTS: '1000000',
        ...database.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`exchange did not start:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exchange exited with ${code}:\n${output}`));
      });
    });
    const exchange = new ExchangeProcess(child, url);
    exchange.output = output;
    child.stdout?.on('data', (chunk: Buffer) => (exchange.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (exchange.output += chunk.toString()));
    return exchange;
  }

  /** The process's resident memory now, from /proc (Linux). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    if (!kb) throw new Error('no VmRSS in /proc status');
    return Number(kb[1]) * 1024;
  }

  /** Everything the process printed (for assertions that secrets never appear, and for debugging). */
  get log(): string {
    return this.output;
  }

  /** SIGTERM and wait; or SIGKILL (a crash) with `kill('SIGKILL')`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    await exited;
  }
}
