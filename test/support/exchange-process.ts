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
  /** Stopped on purpose (its exit is not reported). */
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /**
   * Starts a node and waits until it serves (it leads and has loaded the state: on PostgreSQL a restart after a
   * crash waits for the dead node's lease to expire); `{ follower: true }` returns as soon as it listens.
   */
  static async start(
    database: TestDatabase,
    env: Record<string, string> = {},
    { follower = false }: { follower?: boolean } = {},
  ): Promise<ExchangeProcess> {
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
    child.on('exit', (code, signal) => {
      if (!exchange.stopping)
        process.stderr.write(
          `exchange exited unexpectedly (${code ?? signal}):\n${exchange.output.slice(-4000)}\n`,
        );
    });
    if (!follower) await exchange.serving();
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

  /** Sends a signal without waiting (SIGSTOP and SIGCONT pause and resume the process). */
  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.stopping = true;
    this.child.kill(signal);
  }

  /** Until `/ready` answers 200: this node leads and serves. */
  async serving(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await fetch(`${this.url}/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(`the exchange at ${this.url} did not become ready:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The exit status once the process has exited (null when a signal ended it). */
  exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null)
      return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** SIGTERM and wait; or SIGKILL (a crash) with `kill('SIGKILL')`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.stopping = true;
    this.child.kill(signal);
    await exited;
  }
}
