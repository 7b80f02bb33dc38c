import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

export interface Cluster {
  id: string;
  accountId: string;
  name: string;
  gpu: string;
  region: string;
  gpuCount: number;
  webhookUrl: string;
  createdAt: string;
}

interface ClusterRow {
  id: string;
  account_id: string;
  name: string;
  gpu: string;
  region: string;
  gpu_count: number;
  webhook_url: string;
  created_at: Date;
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
});

@Injectable()
export class ClustersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(
    accountId: string,
    c: Omit<Cluster, 'id' | 'accountId' | 'createdAt'>,
    secret: string,
  ): Promise<Cluster> {
    const rows: ClusterRow[] = await this.db.query(
      `insert into clusters (id, account_id, name, gpu, region, gpu_count, webhook_url, webhook_secret)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
      [randomUUID(), accountId, c.name, c.gpu, c.region, c.gpuCount, c.webhookUrl, secret],
    );
    return toCluster(rows[0]);
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
    return rows.length ? { url: rows[0].webhook_url, secret: rows[0].webhook_secret } : null;
  }

  async findAll(): Promise<Cluster[]> {
    return ((await this.db.query(`select * from clusters`)) as ClusterRow[]).map(toCluster);
  }
}
