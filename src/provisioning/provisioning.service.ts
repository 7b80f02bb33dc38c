import { Inject, Injectable } from '@nestjs/common';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { accountOf } from '../accounts/accounts.controller';
import { Principal } from '../auth/principal';
import { ClustersRepository } from '../clusters/clusters.repository';
import { ClustersService } from '../clusters/clusters.service';
import { DomainError } from '../common/domain-error';
import type {
  ActivateLeaseCommand,
  FailLeaseCommand,
  LoseLeaseCommand,
  VerifyLeaseCommand,
} from '../trading/commands';
import type { AcceptanceChecks, LeaseSnapshot } from '../trading/types';
import { CommandBus } from '../writer/command-bus';
import { checksOf, isReport, outcomeOf } from './cluster-answer';
import { InventoryReportDto } from './dto/inventory-report.dto';
import { ProvisioningCallbackDto } from './dto/provisioning-callback.dto';
import { webhookHeaders } from './webhook-signature';
import { DeliveryStatus, WebhookDeliveriesRepository, deliveryView } from './webhook-deliveries.repository';

/** What a cluster says about a lease it was asked to provision (see `outcomeOf`). */
export type ProvisioningOutcome =
  | { status: 'verifying'; access: Record<string, unknown> }
  | { status: 'active'; access: Record<string, unknown> | null; checks: AcceptanceChecks | null }
  | { status: 'failed'; reason: string; checks: AcceptanceChecks | null }
  | { status: 'lost'; reason: string };

type LeaseCommand = VerifyLeaseCommand | ActivateLeaseCommand | FailLeaseCommand | LoseLeaseCommand;

/** Turns clusters' answers (to a webhook, or in a signed callback) into lease commands for the writer. */
@Injectable()
export class ProvisioningService {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(ClustersRepository) private readonly clusters: ClustersRepository,
    @Inject(ClustersService) private readonly clustersService: ClustersService,
    @Inject(WebhookDeliveriesRepository) private readonly webhooks: WebhookDeliveriesRepository,
  ) {}

  /**
   * Moves the lease as the cluster says: `verifying` (checks running), `active` (paid time starts now), failed
   * (full refund), or lost mid-lease (ended, credited). Saying the same again changes nothing (clusters retry);
   * an answer about a lease past that point is LEASE_NOT_PROVISIONING (it failed at its deadline, say: its
   * deprovision is already on its way). A failed acceptance check degrades the cluster (no new sell orders) until
   * a check passes on it again.
   */
  async complete(
    leaseId: string,
    outcome: ProvisioningOutcome,
    clusterId: string | null = null,
  ): Promise<LeaseSnapshot> {
    const checks = 'checks' in outcome ? outcome.checks : null;
    const inventory = clusterId === null ? null : (await this.clustersService.load()).inventoryOf(clusterId);
    if (checks && inventory && typeof checks.gpus === 'number' && checks.gpus > inventory.gpus)
      throw new DomainError(
        'INVALID_REQUEST',
        `the checks report ${checks.gpus} GPUs; the cluster's inventory shows ${inventory.gpus} in all`,
      );
    const { lease } = await this.commands.submit(commandOf(leaseId, outcome));
    if (lease.status === 'failed' && lease.checks !== null)
      await this.clustersService.markDegraded(
        lease.clusterId,
        'failed_checks',
        `acceptance checks failed on lease ${lease.id}`,
      );
    else if (lease.status === 'active' && lease.checks?.passed === true)
      await this.clustersService.markHealthy(lease.clusterId, 'checks_passed');
    return lease;
  }

  /** A cluster's webhook deliveries, for its owner (UNKNOWN_CLUSTER for anyone else's). */
  async deliveries(principal: Principal, clusterId: string, status: DeliveryStatus | null, limit: number) {
    const cluster = (await this.clustersService.load()).owned(accountOf(principal), clusterId);
    return (await this.webhooks.forCluster(cluster.id, status, limit)).map(deliveryView);
  }

  /** Sets (or, with null, removes) the key sent with the leases provisioned for this buyer from now on. */
  async setSshKey(accountId: string, sshPublicKey: string | null): Promise<{ sshPublicKey: string | null }> {
    await this.commands.submit({ kind: 'setSshKey', accountId, key: sshPublicKey });
    return { sshPublicKey };
  }

  /** A cluster's signed callback (after answering `202`): verified with the secret of the lease's cluster. */
  async callback(
    rawBody: Buffer | undefined,
    headers: Record<string, unknown>,
    dto: ProvisioningCallbackDto,
  ) {
    const lease = await this.webhooks.leaseOf(dto.leaseId);
    await this.verify(lease?.clusterId ?? null, rawBody, headers);
    const outcome = outcomeOf(dto);
    if (!outcome) throw new DomainError('INVALID_REQUEST', 'the callback is not one the exchange can store');
    const done = await this.complete(dto.leaseId, outcome, lease?.clusterId ?? null);
    return { leaseId: done.id, status: done.status };
  }

  /**
   * A cluster agent's signed inventory: what its scheduler shows. A report that claims more GPUs than its own
   * nodes show, or more offerable than its usable nodes hold, is refused. It bounds the cluster's sells.
   */
  async inventory(rawBody: Buffer | undefined, headers: Record<string, unknown>, dto: InventoryReportDto) {
    await this.verify(dto.clusterId, rawBody, headers);
    const onNodes = dto.nodes.reduce((sum, n) => sum + n.gpus, 0);
    const usable = dto.nodes.reduce((sum, n) => sum + (n.usable ? n.gpus : 0), 0);
    if (dto.gpus !== onNodes)
      throw new DomainError(
        'INVALID_REQUEST',
        `the report claims ${dto.gpus} GPUs; its nodes show ${onNodes}`,
      );
    if (dto.offerable > usable)
      throw new DomainError(
        'INVALID_REQUEST',
        `the report claims ${dto.offerable} offerable GPUs; its usable nodes hold ${usable}`,
      );
    const checks = checksOf(dto);
    if (checks !== null && !isReport(checks))
      throw new DomainError(
        'INVALID_REQUEST',
        'checks must be {passed: true|false, gpus: <whole number>, ...}',
      );
    if (checks && checks.gpus > dto.gpus)
      throw new DomainError(
        'INVALID_REQUEST',
        `the checks found ${checks.gpus} GPUs; the nodes have ${dto.gpus}`,
      );
    let cluster = await this.clustersService.recordInventory(dto.clusterId, {
      gpus: dto.gpus,
      offerable: dto.offerable,
      nodes: dto.nodes.map(({ name, gpus, gpusUsed, state, usable }) => ({
        name,
        gpus,
        gpusUsed,
        state,
        usable,
      })),
      drift: dto.drift ?? 0,
    });
    if (checks?.passed) await this.clustersService.markHealthy(cluster.id, 'checks_passed');
    else if (checks)
      await this.clustersService.markDegraded(
        cluster.id,
        'failed_checks',
        "the cluster's own acceptance check failed",
      );
    if (checks) cluster = (await this.clustersService.load()).view(cluster.id) ?? cluster;
    return {
      clusterId: cluster.id,
      gpuCount: cluster.gpuCount,
      status: cluster.status,
      degradedCause: cluster.degradedCause,
      inventory: cluster.inventory,
    };
  }

  /** Checks a request is signed with the cluster's secret (over id.timestamp.body, within 5 minutes: no replays). */
  private async verify(
    clusterId: string | null,
    rawBody: Buffer | undefined,
    headers: Record<string, unknown>,
  ) {
    const target = clusterId ? await this.clusters.webhookTarget(clusterId) : null;
    if (!target || !rawBody) throw new DomainError('INVALID_SIGNATURE', 'the signature does not verify');
    try {
      new Webhook(target.secret).verify(rawBody, webhookHeaders(headers));
    } catch (error) {
      if (error instanceof WebhookVerificationError)
        throw new DomainError('INVALID_SIGNATURE', `the signature does not verify: ${error.message}`);
      throw error;
    }
  }
}

function commandOf(leaseId: string, outcome: ProvisioningOutcome): LeaseCommand {
  switch (outcome.status) {
    case 'verifying':
      return { kind: 'verifyLease', leaseId, access: outcome.access };
    case 'active':
      return { kind: 'activateLease', leaseId, access: outcome.access, checks: outcome.checks };
    case 'failed':
      return { kind: 'failLease', leaseId, reason: outcome.reason, checks: outcome.checks };
    case 'lost':
      return { kind: 'loseLease', leaseId, reason: outcome.reason };
  }
}
