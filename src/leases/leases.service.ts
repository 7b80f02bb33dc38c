import { Inject, Injectable } from '@nestjs/common';
import { accountOf } from '../accounts/accounts.controller';
import { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import type { LeaseSnapshot } from '../trading/types';
import { leaseView } from '../trading/views/lease-view';
import { WebhookDeliveriesRepository, deliveryView } from '../provisioning/webhook-deliveries.repository';
import { CommandBus } from '../writer/command-bus';
import { LeasesRepository } from './leases.repository';

@Injectable()
export class LeasesService {
  constructor(
    @Inject(LeasesRepository) private readonly leases: LeasesRepository,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(WebhookDeliveriesRepository) private readonly deliveriesRepository: WebhookDeliveriesRepository,
  ) {}

  async list(principal: Principal, limit: number) {
    const accountId = accountOf(principal);
    return (await this.leases.listFor(accountId, limit)).map((lease) => leaseView(lease, accountId));
  }

  async one(principal: Principal, id: string) {
    const accountId = accountOf(principal);
    return leaseView(await this.visible(accountId, id), accountId);
  }

  /** What the exchange asked the lease's cluster, and how it went (the seller's view, to debug its cluster). */
  async deliveries(principal: Principal, id: string) {
    const accountId = accountOf(principal);
    const lease = await this.visible(accountId, id);
    if (lease.sellerId !== accountId)
      throw new DomainError('FORBIDDEN', 'only the seller sees the requests to its cluster');
    return (await this.deliveriesRepository.forLease(lease.id)).map(deliveryView);
  }

  /** The buyer ends the lease early; a firm lease is still paid in full. */
  async release(principal: Principal, id: string) {
    const accountId = accountOf(principal);
    const lease = await this.visible(accountId, id);
    if (lease.buyerId !== accountId) throw new DomainError('FORBIDDEN', 'only the buyer releases a lease');
    const released = await this.commands.submit({ kind: 'releaseLease', accountId, leaseId: lease.id });
    return leaseView(released.lease, accountId);
  }

  /** The seller takes the GPUs back after the market's notice period (interruptible markets only). */
  async interrupt(principal: Principal, id: string) {
    const accountId = accountOf(principal);
    const lease = await this.visible(accountId, id);
    if (lease.sellerId !== accountId)
      throw new DomainError('FORBIDDEN', 'only the seller interrupts a lease');
    const noticed = await this.commands.submit({ kind: 'interruptLease', accountId, leaseId: lease.id });
    return leaseView(noticed.lease, accountId);
  }

  /** A lease this account is party to, or NOT_FOUND. */
  private async visible(accountId: string, id: string): Promise<LeaseSnapshot> {
    const lease = await this.leases.findOne(id);
    if (!lease || (lease.buyerId !== accountId && lease.sellerId !== accountId)) {
      throw new DomainError('NOT_FOUND', `no lease ${id}`);
    }
    return lease;
  }
}
