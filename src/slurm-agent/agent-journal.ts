import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a lease stands on this cluster, as the agent last left it. */
export type LeaseStage = 'provisioning' | 'verifying' | 'active' | 'failed' | 'lost' | 'deprovisioned';

export interface LeaseRecord {
  leaseId: string;
  buyerId: string;
  sshPublicKey: string | null;
  quantity: number;
  durationHours: number;
  stage: LeaseStage;
  user: string | null;
  reservation: string | null;
  nodes: string[];
  access: Record<string, unknown> | null;
  checks: Record<string, unknown> | null;
  /** Why the lease failed or was lost. */
  reason: string | null;
  updatedAt: string;
}

interface JournalFile {
  leases: Record<string, LeaseRecord>;
  /** The answer given to each webhook-id, so a repeat (even after a restart) gets the same one. */
  answers: Record<string, { status: number; body: unknown }>;
}

const KEPT_ANSWERS = 10_000;
const KEPT_OVER = 1_000;

/**
 * What the agent has been told and has done, in one JSON file written whole (to a temporary file, then renamed),
 * after every change and before each answer: a restarted agent knows every lease it was told about, and answers a
 * repeated `webhook-id` as it did before.
 */
export class AgentJournal {
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly data: JournalFile,
  ) {}

  static async open(dir: string): Promise<AgentJournal> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'slurm-agent.json');
    const data = await readFile(path, 'utf8').then(
      (text) => JSON.parse(text) as JournalFile,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return { leases: {}, answers: {} };
        throw error;
      },
    );
    return new AgentJournal(path, data);
  }

  lease(id: string): LeaseRecord | undefined {
    return this.data.leases[id];
  }

  leases(): LeaseRecord[] {
    return Object.values(this.data.leases);
  }

  answer(webhookId: string): { status: number; body: unknown } | undefined {
    return this.data.answers[webhookId];
  }

  async put(record: LeaseRecord): Promise<void> {
    this.data.leases[record.leaseId] = { ...record, updatedAt: new Date().toISOString() };
    await this.save();
  }

  async remember(webhookId: string, answer: { status: number; body: unknown }): Promise<void> {
    this.data.answers[webhookId] = answer;
    await this.save();
  }

  private save(): Promise<void> {
    this.trim();
    const text = JSON.stringify(this.data);
    this.saving = this.saving.then(async () => {
      await writeFile(`${this.path}.tmp`, text);
      await rename(`${this.path}.tmp`, this.path);
    });
    return this.saving;
  }

  /** Keeps the file bounded: the latest answers, and the leases not over plus the latest that are. */
  private trim(): void {
    const ids = Object.keys(this.data.answers);
    for (const id of ids.slice(0, Math.max(0, ids.length - KEPT_ANSWERS))) delete this.data.answers[id];
    const over = Object.values(this.data.leases)
      .filter((l) => l.stage === 'deprovisioned')
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    for (const l of over.slice(0, Math.max(0, over.length - KEPT_OVER))) delete this.data.leases[l.leaseId];
  }
}
