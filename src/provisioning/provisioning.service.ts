import { Inject, Injectable } from '@nestjs/common';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { accountOf } from '../accounts/accounts.controller';
import { Principal } from '../auth/principal';
import { ClustersRepository } from '../clusters/clusters.repository';
import { ClustersService } from '../clusters/clusters.service';
import { DomainError } from '../common/domain-error';
import type { LeaseSnapshot } from '../trading/types';
import { CommandBus } from '../writer/command-bus';
import { ProvisioningCallbackDto } from './dto/provisioning-callback.dto';
import { webhookHeaders } from './webhook-signature';
import { DeliveryStatus, WebhookDeliveriesRepository, deliveryView } from './webhook-deliveries.repository';

/** What a cluster says about a lease it was asked to provision. */
export type ProvisioningOutcome =
  { status: 'active'; access: Record<string, unknown> } | { status: 'failed'; reason: string };

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
   * Activates the lease (its paid time starts now) or fails it (full refund). Saying `active` again about an
   * active lease changes nothing (clusters retry); any other answer about a lease no longer provisioning is
   * LEASE_NOT_PROVISIONING (it failed at its deadline, say: its deprovision is already on its way).
   */
  async complete(leaseId: string, outcome: ProvisioningOutcome): Promise<LeaseSnapshot> {
    const done =
      outcome.status === 'active'
        ? await this.commands.submit({ kind: 'activateLease', leaseId, access: outcome.access })
        : await this.commands.submit({ kind: 'failLease', leaseId, reason: outcome.reason });
    return done.lease;
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
    const target = lease ? await this.clusters.webhookTarget(lease.clusterId) : null;
    if (!lease || !target || !rawBody)
      throw new DomainError('INVALID_SIGNATURE', 'the signature does not verify');
    try {
      // Checks the signature over id.timestamp.body, and refuses timestamps more than 5 minutes away (replays).
      new Webhook(target.secret).verify(rawBody, webhookHeaders(headers));
    } catch (error) {
      if (error instanceof WebhookVerificationError)
        throw new DomainError('INVALID_SIGNATURE', `the signature does not verify: ${error.message}`);
      throw error;
    }
    const outcome: ProvisioningOutcome =
      dto.status === 'active'
        ? { status: 'active', access: dto.access ?? {} }
        : { status: 'failed', reason: dto.reason ?? 'no reason given' };
    const done = await this.complete(dto.leaseId, outcome);
    return { leaseId: done.id, status: done.status };
  }
}
