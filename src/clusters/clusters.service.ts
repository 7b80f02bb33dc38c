import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PgChannel } from '../common/pg-channel';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import type { ClusterTerms } from '../trading/types';
import { Cluster, ClusterInventory, ClustersRepository, DegradedCause } from './clusters.repository';
import { CreateClusterDto } from './dto/create-cluster.dto';
import { WebhookUrlPolicy } from './webhook-url-policy';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sellers' clusters. The cache holds every cluster (there are few, and the order path checks ownership and
 * model/region on every sell without a database round trip).
 */
@Injectable()
export class ClustersService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClustersService.name);
  private readonly byId = new Map<string, Cluster>();
  /** Loading every cluster, once; a failed load is forgotten, so the next call tries again. */
  private loaded: Promise<this> | null = null;
  /** Every node's cache follows a change made on any node (degraded, restored, a new inventory). */
  private readonly changes: PgChannel;

  constructor(
    @Inject(ClustersRepository) private readonly clusters: ClustersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WebhookUrlPolicy) private readonly urlPolicy: WebhookUrlPolicy,
    @Inject(getDataSourceToken()) db: DataSource,
  ) {
    this.changes = new PgChannel('exchange_clusters_changed', config.database.url, db, this.logger);
  }

  /** Webhook secrets stored before they were sealed, or under a key being rotated out, are sealed anew. */
  async onModuleInit(): Promise<void> {
    const sealed = await this.clusters.resealSecrets();
    if (sealed > 0) this.logger.log(`sealed ${sealed} webhook secrets with the current key`);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.changes.listen((id) => void this.refresh(id));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.changes.stop();
  }

  /** Registers a cluster; its webhook secret (Standard Webhooks, `whsec_<base64>`) is shown this once. */
  async create(accountId: string, dto: CreateClusterDto): Promise<Cluster & { webhookSecret: string }> {
    const refusal = await this.urlPolicy.refusal(dto.webhookUrl);
    if (refusal) throw new DomainError('INVALID_REQUEST', `webhookUrl ${refusal}`);
    await this.load();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const max = this.config.limits.clustersPerAccount;
    const cluster = await this.clusters.create(accountId, dto, secret, max);
    if (!cluster) throw new DomainError('LIMIT_REACHED', `an account registers at most ${max} clusters`);
    await this.changed(cluster);
    return { ...cluster, webhookSecret: secret };
  }

  list(accountId: string): Promise<Cluster[]> {
    return this.clusters.listByAccount(accountId);
  }

  /** Every cluster, or only the degraded ones, for operators. */
  async all(status?: Cluster['status']): Promise<Cluster[]> {
    const all = await this.clusters.findAll();
    return status ? all.filter((c) => c.status === status) : all;
  }

  /** A cluster of this account (synchronous, after `load()`), or UNKNOWN_CLUSTER. */
  owned(accountId: string, clusterId: unknown): ClusterTerms {
    const cluster = this.ownCluster(accountId, clusterId);
    return {
      id: cluster.id,
      accountId,
      gpu: cluster.gpu,
      region: cluster.region,
      gpuCount: cluster.gpuCount,
    };
  }

  /** The account a cluster belongs to, if it is loaded (synchronous). */
  accountOf(clusterId: string): string | null {
    return this.byId.get(clusterId)?.accountId ?? null;
  }

  /**
   * The cluster a new sell order names (synchronous, after `load()`): owned, and not degraded. Its size is what
   * its owner declared, or less when its agent reports fewer GPUs it can offer (then a sell beyond them is
   * INSUFFICIENT_CAPACITY).
   */
  offering(accountId: string, clusterId: unknown): ClusterTerms {
    const owned = this.owned(accountId, clusterId);
    const cluster = this.byId.get(owned.id);
    const terms = cluster?.inventory
      ? { ...owned, gpuCount: Math.min(owned.gpuCount, cluster.inventory.offerable) }
      : owned;
    if (cluster?.status === 'degraded')
      throw new DomainError(
        'CLUSTER_DEGRADED',
        `cluster ${terms.id} is degraded (${cluster.degradedReason}): it takes no new sell orders until it ` +
          `answers the exchange again, or its owner restores it`,
      );
    return terms;
  }

  /**
   * Marks a cluster degraded: it stopped answering (the dispatcher), or failed a lease's acceptance checks. A
   * cluster already degraded stays as it was, unless a failed check now outweighs unresponsiveness.
   */
  async markDegraded(clusterId: string, cause: DegradedCause, reason: string): Promise<void> {
    await this.load();
    const now = this.byId.get(clusterId);
    if (now?.status === 'degraded' && (now.degradedCause === cause || cause === 'unresponsive')) return;
    const cluster = await this.clusters.setDegraded(clusterId, { cause, reason });
    if (!cluster) return;
    await this.changed(cluster);
    this.logger.warn(`cluster ${cluster.id} (account ${cluster.accountId}) is degraded: ${reason}`);
  }

  /**
   * Marks a degraded cluster active again on this evidence: it answered (clears unresponsiveness only), a check
   * passed on it, or its owner restored it (either clears both). Cheap when it is not degraded.
   */
  async markHealthy(clusterId: string, evidence: 'answered' | 'checks_passed' | 'owner'): Promise<void> {
    await this.load();
    const now = this.byId.get(clusterId);
    if (now?.status !== 'degraded') return;
    const clears: DegradedCause[] =
      evidence === 'answered' ? ['unresponsive'] : ['unresponsive', 'failed_checks'];
    if (!now.degradedCause || !clears.includes(now.degradedCause)) return;
    const cluster = await this.clusters.setDegraded(clusterId, null, clears);
    if (!cluster) return;
    await this.changed(cluster);
    this.logger.log(`cluster ${cluster.id} (account ${cluster.accountId}) is active again (${evidence})`);
  }

  /** Keeps the inventory the cluster's agent reported (it bounds the cluster's sells from now on). */
  async recordInventory(
    clusterId: string,
    inventory: Omit<ClusterInventory, 'reportedAt'>,
  ): Promise<Cluster> {
    await this.load();
    const cluster = await this.clusters.setInventory(clusterId, inventory);
    if (!cluster) throw new DomainError('UNKNOWN_CLUSTER', 'no such cluster');
    await this.changed(cluster);
    return cluster;
  }

  /** The cluster as this node knows it (synchronous, after `load()`). */
  view(clusterId: string): Cluster | undefined {
    return this.byId.get(clusterId);
  }

  /** The inventory the cluster last reported, if any (synchronous, after `load()`). */
  inventoryOf(clusterId: string): ClusterInventory | null {
    return this.byId.get(clusterId)?.inventory ?? null;
  }

  /** The owner says its cluster works again: it takes sell orders (until it fails again). */
  async restore(accountId: string, clusterId: string): Promise<Cluster> {
    const { id } = (await this.load()).owned(accountId, clusterId);
    await this.markHealthy(id, 'owner');
    const cluster = this.byId.get(id);
    if (!cluster) throw new DomainError('UNKNOWN_CLUSTER', 'no such cluster');
    return cluster;
  }

  private ownCluster(accountId: string, clusterId: unknown): Cluster {
    const cluster =
      typeof clusterId === 'string' && UUID.test(clusterId) ? this.byId.get(clusterId) : undefined;
    if (!cluster || cluster.accountId !== accountId)
      throw new DomainError('UNKNOWN_CLUSTER', 'no such cluster');
    return cluster;
  }

  /** Keeps the cluster as this node changed it, and tells the other nodes to read it again. */
  private async changed(cluster: Cluster): Promise<void> {
    this.byId.set(cluster.id, cluster);
    await this.changes.announce(cluster.id).catch((error: unknown) => {
      this.logger.warn(`cannot tell the other nodes of cluster ${cluster.id}: ${(error as Error).message}`);
    });
  }

  /** Another node changed a cluster: read it again (a node that has not loaded the clusters yet will). */
  private async refresh(clusterId: string): Promise<void> {
    if (this.loaded === null) return;
    try {
      const cluster = await this.clusters.findOne(clusterId);
      if (cluster) this.byId.set(cluster.id, cluster);
    } catch (error) {
      this.logger.warn(`cannot read cluster ${clusterId} again: ${(error as Error).message}`);
    }
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
