import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClustersRepository } from '../clusters/clusters.repository';
import { ClustersService } from '../clusters/clusters.service';
import { DomainError } from '../common/domain-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LeaderElection } from '../leadership/leader-election';
import { Metrics } from '../metrics/metrics';
import { TradingWriter } from '../writer/trading-writer';
import { Passage } from './circuit-breaker';
import { outcomeOf } from './cluster-answer';
import { deliveryErrorClass } from './delivery-error';
import { DeliveryLanes } from './delivery-lanes';
import { ProvisioningService } from './provisioning.service';
import { AttemptRecord, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDelivery, freshDelivery } from './webhook-delivery';
import { WebhookResponse, WebhookSender, WebhookTarget } from './webhook-sender';

/** Requests in flight at once, across all clusters (each cluster has its own cap within it). */
const MAX_IN_FLIGHT = 64;
/** Closed deliveries are recorded together, at most this long after they closed. */
const CLOSE_FLUSH_MS = 20;
/** The seller's view of an attempt that its cluster's open breaker failed without sending it. */
const BREAKER_OPEN = 'not sent: circuit open (the cluster failed too many requests in a row)';

/**
 * What one attempt came to (the cluster took the request, it no longer matters, or it is to be tried again), and
 * what it says of the cluster: it answered as it should, it failed, or nothing (no request was sent).
 */
type Verdict = { cluster: 'answered' | 'failed' | null };
type Retry = { retry: AttemptRecord; detail?: string } & Verdict;
type Result = ({ close: 'delivered' | 'abandoned'; attempt: AttemptRecord } & Verdict) | Retry;

/**
 * Sends the webhooks that committed batches recorded (provision, deprovision) to the sellers' clusters, and
 * retries each until its cluster takes it, with exponential backoff and jitter, always with the same `webhook-id`
 * and bytes. Its schedule is in the database, so a restart resumes every pending delivery where it was. Two
 * requests about one lease are never in flight together, so a deprovision never overtakes its provision.
 *
 * No cluster holds up another (DeliveryLanes): each has its own cap on requests in flight, clusters are served
 * round-robin, and each has a circuit breaker. A cluster whose breaker opens is marked degraded (it takes no new
 * sell orders) until it answers again. A deprovision is abandoned after a bounded number of attempts, and that
 * degrades its cluster too.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly lanes: DeliveryLanes;
  private readonly busyLeases = new Set<string>();
  /** Provisions committed by this process and not tried yet: their lease is surely still provisioning. */
  private readonly fresh = new Set<string>();
  /** Clusters' webhook URL and secret (neither changes once a cluster is registered). */
  private readonly targets = new Map<string, WebhookTarget>();
  private closed: Parameters<WebhookDeliveriesRepository['close']>[0] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Attempts in a row that could not reach the database. */
  private databaseFailures = 0;

  constructor(
    @Inject(WebhookSender) private readonly sender: WebhookSender,
    @Inject(WebhookDeliveriesRepository) private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(ClustersRepository) private readonly clusters: ClustersRepository,
    @Inject(ClustersService) private readonly clusterHealth: ClustersService,
    @Inject(ProvisioningService) private readonly provisioning: ProvisioningService,
    @Inject(TradingWriter) writer: TradingWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Metrics) metrics: Metrics,
    @Inject(LeaderElection) private readonly election: Pick<LeaderElection, 'lead'>,
  ) {
    const { inFlightPerCluster, inFlightPerAccount, breaker, retryMaxMs } = config.provisioning;
    this.lanes = new DeliveryLanes(
      {
        inFlight: MAX_IN_FLIGHT,
        inFlightPerCluster,
        inFlightPerAccount,
        breaker: { ...breaker, maxOpenMs: Math.max(breaker.openMs, retryMaxMs) },
      },
      (clusterId) => clusterHealth.accountOf(clusterId) ?? clusterId,
    );
    const backlog = (read: (entry: { count: number; oldest: number }) => number) => () =>
      new Map([...this.lanes.backlog()].map(([type, entry]) => [type, read(entry)]));
    metrics.labelledGauge(
      'exchange_webhook_deliveries_pending',
      "Webhook deliveries not yet taken by the sellers' clusters, by type",
      'type',
      backlog((entry) => entry.count),
    );
    metrics.labelledGauge(
      'exchange_webhook_oldest_pending_seconds',
      'Age of the oldest pending webhook delivery, by type',
      'type',
      backlog((entry) => (Date.now() - entry.oldest) / 1000),
    );
    writer.onCommitted((batch) => {
      let added = false;
      for (const { events } of batch.entries) {
        for (const e of events) {
          if (e.type !== 'webhook.requested') continue;
          this.lanes.add(freshDelivery(e.request));
          if (e.request.type === 'lease.provision') this.fresh.add(e.request.id);
          added = true;
        }
      }
      if (added) this.pump();
    });
    // After a commit whose outcome was unknown, the database may hold requests this process never saw.
    let loads = 0;
    writer.onLoaded(() => {
      if (loads++ > 0 && !this.stopped) void this.resume();
    });
  }

  /** The leader sends; a follower starts when it leads. */
  async onApplicationBootstrap(): Promise<void> {
    await this.election.lead(() => this.resume());
  }

  /** Takes up every delivery the database has pending (at start, and after the writer reloaded). */
  private async resume(): Promise<void> {
    if (this.config.provisioning.mode !== 'webhook') return;
    let found = 0;
    try {
      await this.clusterHealth.load(); // the clusters' accounts, for the per-account cap
      for (const delivery of await this.deliveries.pending()) {
        if (this.lanes.has(delivery.id) || this.busyLeases.has(delivery.leaseId)) continue;
        this.lanes.add(delivery);
        found++;
      }
    } catch (error) {
      this.logger.warn(
        `cannot read pending webhook deliveries: ${error instanceof Error ? error.message : error}`,
      );
      return;
    }
    if (found > 0) this.logger.log(`resuming ${found} pending webhook deliveries`);
    this.pump();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Starts every due delivery it may, then sleeps until the next one is due. */
  private pump(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    const { starts, nextDue } = this.lanes.take(now, this.busyLeases);
    for (const { delivery, passage } of starts) void this.attempt(delivery, passage);
    if (nextDue < Infinity) {
      this.timer = setTimeout(() => this.pump(), nextDue - now);
      this.timer.unref();
    }
  }

  private async attempt(delivery: WebhookDelivery, passage: Passage): Promise<void> {
    this.busyLeases.add(delivery.leaseId);
    let verdict: Verdict['cluster'] = null;
    try {
      let result = await this.deliver(delivery, passage);
      verdict = result.cluster;
      if ('retry' in result) result = this.giveUpAfterAttempts(delivery, result);
      if ('close' in result) {
        this.lanes.remove(delivery);
        this.closed.push({ id: delivery.id, status: result.close, ...result.attempt });
        this.flushing ??= this.flushClosed();
      } else {
        delivery.attempts = result.retry.attempts;
        delivery.nextAttemptAt = new Date(Date.now() + this.backoff(delivery.attempts));
        if (delivery.attempts === 1) {
          this.logger.warn(
            `${delivery.type} ${delivery.id} for lease ${delivery.leaseId} (cluster ${delivery.clusterId}) ` +
              `failed, retrying with backoff: ${result.detail ?? result.retry.error}`,
          );
        }
        await this.deliveries.retryLater(delivery.id, result.retry, delivery.nextAttemptAt);
      }
      this.databaseFailures = 0;
    } catch (error) {
      // The database is down: try again later, backing off while it stays down (the row stays as it was).
      delivery.nextAttemptAt = new Date(Date.now() + this.backoff(++this.databaseFailures));
      this.logger.warn(
        `cannot record webhook ${delivery.id}: ${error instanceof Error ? error.message : error}`,
      );
    } finally {
      this.judge(delivery.clusterId, passage, verdict);
      this.lanes.finished(delivery);
      this.busyLeases.delete(delivery.leaseId);
      this.pump();
    }
  }

  /** One attempt: send (unless the cluster's breaker fails it fast), then act on the answer. */
  private async deliver(delivery: WebhookDelivery, passage: Passage): Promise<Result> {
    const attempts = delivery.attempts + 1;
    if (delivery.type === 'lease.provision' && !this.fresh.delete(delivery.id)) {
      // A retry, or resumed after a restart: the lease may have failed (deadline) or been answered (callback).
      const lease = await this.deliveries.leaseOf(delivery.leaseId);
      if (lease?.status !== 'provisioning')
        return {
          close: 'abandoned',
          attempt: { attempts: delivery.attempts, responseStatus: null, error: null },
          cluster: null,
        };
    }
    if (passage === 'fail-fast')
      return { retry: { attempts, responseStatus: null, error: BREAKER_OPEN }, cluster: null };
    const target = await this.targetOf(delivery.clusterId);
    let response: WebhookResponse;
    try {
      response = await this.sender.send(target, delivery.id, delivery.payload);
    } catch (error) {
      return {
        retry: { attempts, responseStatus: null, error: deliveryErrorClass(error) },
        detail: describe(error),
        cluster: 'failed',
      };
    }
    const attempt = { attempts, responseStatus: response.status, error: null };
    // A notice is news to the cluster, not a request it must fulfil: one that does not know it (4xx) is left be.
    if (delivery.type === 'lease.interrupt' && response.status >= 400 && response.status < 500)
      return {
        close: 'abandoned',
        attempt: { ...attempt, error: `HTTP ${response.status}` },
        cluster: 'answered',
      };
    if (response.status < 200 || response.status > 299)
      return { retry: { ...attempt, error: `HTTP ${response.status}` }, cluster: 'failed' };
    if (delivery.type !== 'lease.provision' || response.status === 202)
      return { close: 'delivered', attempt, cluster: 'answered' }; // a 202 is followed by a callback
    const outcome = outcomeOf(response.body);
    if (!outcome) {
      const error = 'the answer is not {"status":"active"|"failed",...} in text the exchange can store';
      return { retry: { ...attempt, error }, cluster: 'failed' };
    }
    try {
      await this.provisioning.complete(delivery.leaseId, outcome, delivery.clusterId);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'LEASE_NOT_PROVISIONING')
        return { close: 'abandoned', attempt: { ...attempt, error: error.message }, cluster: 'answered' };
      // Not recorded (the database is down): ask again; the cluster answers the same `webhook-id` the same way.
      return {
        retry: { ...attempt, error: 'the exchange could not record the answer' },
        detail: describe(error),
        cluster: 'answered',
      };
    }
    return { close: 'delivered', attempt, cluster: 'answered' };
  }

  /**
   * A deprovision or interrupt notice that has had all its attempts is abandoned; an abandoned deprovision
   * degrades its cluster (the seller sees both).
   */
  private giveUpAfterAttempts(delivery: WebhookDelivery, result: Retry): Result {
    const max = this.config.provisioning.deprovisionAttempts;
    if (delivery.type === 'lease.provision' || result.retry.attempts < max) return result;
    this.logger.warn(
      `abandoning ${delivery.type} ${delivery.id} for lease ${delivery.leaseId} (cluster ` +
        `${delivery.clusterId}) after ${max} attempts: ${result.detail ?? result.retry.error}`,
    );
    if (delivery.type === 'lease.deprovision')
      this.degrade(delivery.clusterId, `a lease.deprovision was abandoned after ${max} attempts`);
    return { close: 'abandoned', attempt: result.retry, cluster: result.cluster };
  }

  /** Feeds the cluster's breaker with what an attempt said of it; a breaker that opens degrades the cluster. */
  private judge(clusterId: string, passage: Passage, verdict: Verdict['cluster']): void {
    const breaker = this.lanes.breaker(clusterId);
    if (verdict === 'answered') {
      breaker.succeeded();
      this.clusterHealth
        .markHealthy(clusterId, 'answered')
        .catch((error: unknown) => this.cannotRecord(clusterId, error));
    } else if (verdict === 'failed') {
      if (breaker.failed(Date.now())) {
        const { failures } = this.config.provisioning.breaker;
        this.degrade(clusterId, `stopped answering: ${failures} requests in a row failed`);
      }
    } else if (passage === 'probe') breaker.probeVoid();
  }

  private degrade(clusterId: string, reason: string): void {
    this.clusterHealth
      .markDegraded(clusterId, 'unresponsive', reason)
      .catch((error: unknown) => this.cannotRecord(clusterId, error));
  }

  private cannotRecord(clusterId: string, error: unknown): void {
    this.logger.warn(
      `cannot record the health of cluster ${clusterId}: ${error instanceof Error ? error.message : error}`,
    );
  }

  private async targetOf(clusterId: string): Promise<WebhookTarget> {
    let target = this.targets.get(clusterId);
    if (!target) {
      const found = await this.clusters.webhookTarget(clusterId);
      if (!found) throw new Error(`cluster ${clusterId} is gone`);
      this.targets.set(clusterId, (target = found));
    }
    return target;
  }

  /** Records closed deliveries a few at a time (one statement); a crash before that only resends them. */
  private async flushClosed(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, CLOSE_FLUSH_MS));
    const closed = this.closed;
    this.closed = [];
    try {
      await this.deliveries.close(closed);
    } catch (error) {
      this.closed.push(...closed);
      this.logger.warn(`cannot record closed webhooks: ${error instanceof Error ? error.message : error}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      this.flushing = null;
      if (this.closed.length > 0) this.flushing = this.flushClosed();
    }
  }

  /** Exponential, capped, with jitter (half fixed, half random) so clusters are not hit in step. */
  private backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.config.provisioning;
    const ceiling = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempts - 1, 30));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
