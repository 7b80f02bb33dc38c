import { execFile } from 'node:child_process';
import { nodeName } from './slurm-names';

/** A Slurm node as `scontrol show node` reports it. */
export interface SlurmNode {
  name: string;
  /** GPUs from its gres (`gpu:8`, `gpu:h100:8`). */
  gpus: number;
  /** GPUs that running jobs hold (`GresUsed`). */
  gpusUsed: number;
  /** Slurm's state with its flags, e.g. `IDLE`, `MIXED+RESERVED`, `IDLE+DRAIN`, `DOWN+NOT_RESPONDING`. */
  state: string;
  /** Up, and neither draining nor failing: it can run a lease's jobs. */
  usable: boolean;
}

export interface SlurmReservation {
  name: string;
  nodes: string[];
  users: string[];
  /** ms since the epoch. */
  endTime: number;
}

const USABLE_BASE = new Set(['IDLE', 'MIXED', 'ALLOCATED', 'COMPLETING']);
const UNUSABLE_FLAGS = [
  'DRAIN',
  'FAIL',
  'NOT_RESPONDING',
  'MAINT',
  'POWERED_DOWN',
  'POWERING_DOWN',
  'REBOOT',
];

const field = (line: string, key: string): string | null =>
  new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1] ?? null;

/** GPUs in a gres string such as `gpu:8`, `gpu:h100:4(S:0-1),gpu:a100:2`. */
function gpusIn(gres: string | null): number {
  let total = 0;
  for (const part of (gres ?? '').split(',')) {
    const match = /^gpu(?::[^:(]+)?:(\d+)/.exec(part);
    if (match) total += Number(match[1]);
  }
  return total;
}

/** Slurm's local time (`2026-12-02T06:26:28`) as ms since the epoch (Slurm runs on this host, in its zone). */
function slurmTime(text: string | null): number {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/.exec(text ?? '');
  if (!match) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

/** A time as Slurm takes it: local time, to the second. */
export function slurmTimeText(ms: number): string {
  const t = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}T` +
    `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`
  );
}

export class SlurmError extends Error {}

/**
 * Slurm's commands, run with `execFile` (each argument its own, no shell) and a timeout. SLURM_CONF and the rest
 * of the environment pass through.
 */
export class SlurmCli {
  constructor(private readonly timeoutMs = 30_000) {}

  async nodes(): Promise<SlurmNode[]> {
    const out = await this.run('scontrol', ['show', 'node', '--details', '--oneliner']);
    return out
      .split('\n')
      .filter((line) => line.startsWith('NodeName='))
      .map((line) => {
        const state = field(line, 'State') ?? 'UNKNOWN';
        const [base, ...flags] = state.replace(/\*$/, '').split('+');
        return {
          name: nodeName(field(line, 'NodeName') as string),
          gpus: gpusIn(field(line, 'Gres')),
          gpusUsed: gpusIn(field(line, 'GresUsed')),
          state,
          usable:
            USABLE_BASE.has(base) && !state.endsWith('*') && !flags.some((f) => UNUSABLE_FLAGS.includes(f)),
        };
      });
  }

  async reservations(): Promise<SlurmReservation[]> {
    const out = await this.run('scontrol', ['show', 'reservation', '--oneliner']);
    const reservations: SlurmReservation[] = [];
    for (const line of out.split('\n').filter((l) => l.startsWith('ReservationName='))) {
      const nodes = field(line, 'Nodes');
      reservations.push({
        name: field(line, 'ReservationName') as string,
        nodes: nodes && nodes !== '(null)' ? await this.hostnames(nodes) : [],
        users: (field(line, 'Users') ?? '').split(',').filter((u) => u && u !== '(null)'),
        endTime: slurmTime(field(line, 'EndTime')),
      });
    }
    return reservations;
  }

  /** Reserves these nodes for this user, from now until `endMs`. */
  async createReservation(name: string, user: string, nodes: string[], endMs: number): Promise<void> {
    await this.run('scontrol', [
      'create',
      'reservation',
      `ReservationName=${name}`,
      `Users=${user}`,
      `Nodes=${nodes.join(',')}`,
      'StartTime=now',
      `EndTime=${slurmTimeText(endMs)}`,
    ]);
  }

  async setReservationEnd(name: string, endMs: number): Promise<void> {
    await this.run('scontrol', ['update', `ReservationName=${name}`, `EndTime=${slurmTimeText(endMs)}`]);
  }

  async deleteReservation(name: string): Promise<void> {
    await this.run('scontrol', ['delete', `ReservationName=${name}`]);
  }

  /** Signals every job in the reservation (TERM: the notice), or cancels them (no signal). */
  async signalJobs(reservation: string, signal: 'TERM' | null): Promise<void> {
    await this.run('scancel', [...(signal ? [`--signal=${signal}`] : []), `--reservation=${reservation}`]);
  }

  /**
   * Runs one task per node as the user (in the reservation, or on the named nodes when there is none), asking each
   * node for its GPUs: what a buyer's job would see. Returns, per node, the GPU devices the job was given.
   */
  async probe(
    user: string,
    where: { reservation: string } | { nodes: string[] },
    nodes: number,
    gpusPerNode: number,
  ) {
    const out = await this.run('runuser', [
      '-u',
      user,
      '--',
      'srun',
      ...('reservation' in where
        ? [`--reservation=${where.reservation}`]
        : [`--nodelist=${where.nodes.join(',')}`, '--immediate=30']),
      `--nodes=${nodes}`,
      '--ntasks-per-node=1',
      `--gres=gpu:${gpusPerNode}`,
      '--label',
      'printenv',
      'SLURMD_NODENAME',
      'CUDA_VISIBLE_DEVICES',
    ]);
    const byTask = new Map<string, string[]>();
    for (const line of out.split('\n')) {
      const match = /^(\d+): (.*)$/.exec(line.trim());
      if (match) byTask.set(match[1], [...(byTask.get(match[1]) ?? []), match[2]]);
    }
    return [...byTask.values()].map(([node, devices]) => ({
      node,
      devices: (devices ?? '').split(',').filter((d) => d !== ''),
    }));
  }

  private async hostnames(list: string): Promise<string[]> {
    const out = await this.run('scontrol', ['show', 'hostnames', list]);
    return out.split('\n').filter(Boolean).map(nodeName);
  }

  run(command: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { timeout: this.timeoutMs, maxBuffer: 8 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error)
            reject(
              new SlurmError(
                `${command} ${args.slice(0, 2).join(' ')} failed: ${stderr.trim() || error.message}`,
              ),
            );
          else resolve(stdout);
        },
      );
    });
  }
}
