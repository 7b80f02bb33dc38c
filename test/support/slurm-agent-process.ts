import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A free loopback port (the agent keeps one across restarts: its cluster's webhookUrl names it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a Slurm command (SLURM_CONF from the environment `npm run test:slurm` sets). */
export const slurm = (command: string, ...args: string[]): string =>
  execFileSync(command, args, { encoding: 'utf8', timeout: 30_000 });

/** The Slurm agent (`dist/src/slurm-agent/main.js`) in a child process, so a test can kill it mid-way. */
export class SlurmAgentProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly stateDir: string,
    readonly port: number,
  ) {}

  static async start(
    env: Record<string, string>,
    stateDir: string,
    port: number,
  ): Promise<SlurmAgentProcess> {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'slurm-agent', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, ...env, AGENT_STATE_DIR: stateDir, AGENT_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const agent = new SlurmAgentProcess(child, stateDir, port);
    child.stdout?.on('data', (chunk: Buffer) => (agent.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (agent.output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!agent.output.includes('webhooks on')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the Slurm agent did not start:\n${agent.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return agent;
  }

  get log(): string {
    return this.output;
  }

  /** The cluster it registered, with its secret (from its state folder). */
  cluster(): { clusterId: string; secret: string } {
    return JSON.parse(readFileSync(join(this.stateDir, 'cluster.json'), 'utf8'));
  }

  async state(): Promise<{ leases: { leaseId: string; stage: string }[]; drift: string[] }> {
    return (await fetch(`http://127.0.0.1:${this.port}/state`)).json() as never;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}
