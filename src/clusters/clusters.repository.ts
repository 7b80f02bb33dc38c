import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SecretBox } from './secret-box';

export interface Cluster {
  id: string;
  accountId: string;
  name: string;
  gpu: string;
  region: string;
  gpuCount: number;
  webhookUrl: string;
  createdAt: string;
  /**
   * `degraded`: it takes no new sell orders, because it stopped answering the exchange's webhooks (until it
   * answers), or failed a lease's acceptance checks (until a check passes, or its owner restores it).
   */
  status: 'active' | 'degraded';
  degradedAt: string | null;
  degradedReason: string | null;
  degradedCause: DegradedCause | null;
  /** What the cluster's agent last reported its scheduler shows (null: it never did). */
  inventory: ClusterInventory | null;
}

export interface ClusterInventory {
  gpus: number;
  /** GPUs the seller can have offered plus leased on this cluster (at most its `gpuCount`). */
  offerable: number;
  nodes: { name: string; gpus: number; gpusUsed?: number; state: string; usable: boolean }[];
  drift: number;
  reportedAt: string;
}

export type DegradedCause = 'unresponsive' | 'failed_checks';

interface ClusterRow {
  id: string;
  account_id: string;
  name: string;
  gpu: string;
  region: string;
  gpu_count: number;
  webhook_url: string;
  created_at: Date;
  degraded_at: Date | null;
  degraded_reason: string | null;
  degraded_cause: DegradedCause | null;
  inventory: Omit<ClusterInventory, 'reportedAt'> | null;
  inventory_at: Date | null;
}

const toCluster = (r: ClusterRow): Cluster => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  gpu: r.gpu,
  region: r.region,
  gpuCount: r.gpu_count,
  webhookUrl: r.webhook_url,
  createdAt: r.created_at.toISOString(),
  status: r.degraded_at ? 'degraded' : 'active',
  degradedAt: r.degraded_at?.toISOString() ?? null,
  degradedReason: r.degraded_reason,
  degradedCause: r.degraded_cause,
  inventory:
    r.inventory && r.inventory_at ? { ...r.inventory, reportedAt: r.inventory_at.toISOString() } : null,
});

/** Clusters as stored; their webhook secrets sealed at rest (see SecretBox). */
@Injectable()
export class ClustersRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SecretBox) private readonly box: SecretBox,
  ) {}

  /** Registers a cluster unless the account already has `max` of them (then null). */
  async create(
    accountId: string,
    c: Pick<Cluster, 'name' | 'gpu' | 'region' | 'gpuCount' | 'webhookUrl'>,
    secret: string,
    max: number,
  ): Promise<Cluster | null> {
    const rows: ClusterRow[] = await this.db.query(
      `insert into clusters (id, account_id, name, gpu, region, gpu_count, webhook_url, webhook_secret)
       select $1, $2, $3, $4, $5, $6, $7, $8
        where (select count(*) from clusters where account_id = $2) < $9
       returning *`,
      [
        randomUUID(),
        accountId,
        c.name,
        c.gpu,
        c.region,
        c.gpuCount,
        c.webhookUrl,
        this.box.seal(secret),
        max,
      ],
    );
    return rows.length ? toCluster(rows[0]) : null;
  }

  async listByAccount(accountId: string): Promise<Cluster[]> {
    const rows: ClusterRow[] = await this.db.query(
      `select * from clusters where account_id = $1 order by created_at, id`,
      [accountId],
    );
    return rows.map(toCluster);
  }

  /** Where the cluster takes webhooks, with its signing secret (for signing and verifying only; never logged). */
  async webhookTarget(clusterId: string): Promise<{ url: string; secret: string } | null> {
    const rows: { webhook_url: string; webhook_secret: string }[] = await this.db.query(
      `select webhook_url, webhook_secret from clusters where id = $1`,
      [clusterId],
    );
    return rows.length ? { url: rows[0].webhook_url, secret: this.box.open(rows[0].webhook_secret) } : null;
  }

  /**
   * Seals every secret that is not sealed with the first key yet: stored before sealing, or under a key being
   * rotated out. Returns how many it sealed.
   */
  async resealSecrets(): Promise<number> {
    const rows: { id: string; webhook_secret: string }[] = await this.db.query(
      `select id, webhook_secret from clusters`,
    );
    let sealed = 0;
    for (const row of rows.filter((r) => this.box.stale(r.webhook_secret))) {
      const secret = row.webhook_secret.startsWith('whsec_')
        ? row.webhook_secret
        : this.box.open(row.webhook_secret);
      await this.db.query(`update clusters set webhook_secret = $2 where id = $1 and webhook_secret = $3`, [
        row.id,
        this.box.seal(secret),
        row.webhook_secret,
      ]);
      sealed++;
    }
    return sealed;
  }

  /**
   * Marks the cluster degraded with this cause and reason (keeping a degradation already recorded, unless this one
   * is a failed check, which outweighs unresponsiveness), or, with null, active again when its degradation is one
   * of `clears`. Returns the cluster as it is now (null if there is no such cluster).
   */
  async setDegraded(
    id: string,
    degraded: { cause: DegradedCause; reason: string } | null,
    clears: readonly DegradedCause[] = [],
  ): Promise<Cluster | null> {
    if (degraded === null) {
      await this.db.query(
        `update clusters set degraded_at = null, degraded_reason = null, degraded_cause = null
          where id = $1 and degraded_cause = any($2::text[])`,
        [id, clears],
      );
    } else {
      await this.db.query(
        `update clusters set degraded_at = coalesce(degraded_at, now()), degraded_reason = $2, degraded_cause = $3
          where id = $1 and (degraded_at is null or ($3 = 'failed_checks' and degraded_cause <> $3))`,
        [id, degraded.reason, degraded.cause],
      );
    }
    const rows: ClusterRow[] = await this.db.query(`select * from clusters where id = $1`, [id]);
    return rows.length ? toCluster(rows[0]) : null;
  }

  /** Records the inventory the cluster's agent reported; returns the cluster as it is now. */
  async setInventory(id: string, inventory: Omit<ClusterInventory, 'reportedAt'>): Promise<Cluster | null> {
    await this.db.query(`update clusters set inventory = $2, inventory_at = now() where id = $1`, [
      id,
      JSON.stringify(inventory),
    ]);
    return this.findOne(id);
  }

  async findOne(id: string): Promise<Cluster | null> {
    const rows: ClusterRow[] = await this.db.query(`select * from clusters where id = $1`, [id]);
    return rows.length ? toCluster(rows[0]) : null;
  }

  async findAll(): Promise<Cluster[]> {
    return ((await this.db.query(`select * from clusters`)) as ClusterRow[]).map(toCluster);
  }
}
