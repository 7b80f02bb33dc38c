import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import type { ClusterTerms } from '../trading/types';
import { Cluster, ClustersRepository } from './clusters.repository';
import { CreateClusterDto } from './dto/create-cluster.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sellers' clusters. The cache holds every cluster (there are few, and the order path checks ownership and
 * model/region on every sell without a database round trip).
 */
@Injectable()
export class ClustersService {
  private readonly byId = new Map<string, Cluster>();
  /** Loading every cluster, once; a failed load is forgotten, so the next call tries again. */
  private loaded: Promise<this> | null = null;

  constructor(@Inject(ClustersRepository) private readonly clusters: ClustersRepository) {}

  /** Registers a cluster; its webhook secret (Standard Webhooks, `whsec_<base64>`) is shown this once. */
  async create(accountId: string, dto: CreateClusterDto): Promise<Cluster & { webhookSecret: string }> {
    await this.load();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const cluster = await this.clusters.create(accountId, dto, secret);
    this.byId.set(cluster.id, cluster);
    return { ...cluster, webhookSecret: secret };
  }

  list(accountId: string): Promise<Cluster[]> {
    return this.clusters.listByAccount(accountId);
  }

  /** A cluster of this account (synchronous, after `load()`), as a sell order names it, or UNKNOWN_CLUSTER. */
  owned(accountId: string, clusterId: unknown): ClusterTerms {
    const cluster =
      typeof clusterId === 'string' && UUID.test(clusterId) ? this.byId.get(clusterId) : undefined;
    if (!cluster || cluster.accountId !== accountId)
      throw new DomainError('UNKNOWN_CLUSTER', 'no such cluster');
    return {
      id: cluster.id,
      accountId,
      gpu: cluster.gpu,
      region: cluster.region,
      gpuCount: cluster.gpuCount,
    };
  }

  load(): Promise<this> {
    this.loaded ??= this.clusters.findAll().then(
      (all) => {
        for (const cluster of all) this.byId.set(cluster.id, cluster);
        return this;
      },
      (error: unknown) => {
        this.loaded = null;
        throw error;
      },
    );
    return this.loaded;
  }
}
