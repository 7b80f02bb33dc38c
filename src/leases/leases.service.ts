import { Inject, Injectable } from '@nestjs/common';
import { accountOf } from '../accounts/accounts.controller';
import { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { OrderWriter } from '../orders/order-writer';
import { WebhookDeliveriesRepository, deliveryView } from '../provisioning/webhook-deliveries.repository';
import { interruptLease, releaseLease } from './lease-lifecycle';
import { LeaseRecord } from './lease-record';
import { leaseView } from './lease-view';
import { LeasesRepository } from './leases.repository';

@Injectable()
export class LeasesService {
  constructor(
    @Inject(LeasesRepository) private readonly leases: LeasesRepository,
    @Inject(OrderWriter) private readonly writer: OrderWriter,
    @Inject(WebhookDeliveriesRepository) private readonly webhooks: WebhookDeliveriesRepository,
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
    return (await this.webhooks.forLease(lease.id)).map(deliveryView);
  }

  /** The buyer ends the lease early; a firm lease is still paid in full. */
  async release(principal: Principal, id: string) {
    const accountId = accountOf(principal);
    const lease = await this.visible(accountId, id);
    if (lease.buyerId !== accountId) throw new DomainError('FORBIDDEN', 'only the buyer releases a lease');
    return this.writer.submit((state, batch, now) => {
      const live = this.active(state.leases.get(id), id);
      releaseLease(state, batch, live, new Date(now));
      return leaseView(live, accountId);
    });
  }

  /** The seller takes the GPUs back after the market's notice period (interruptible markets only). */
  async interrupt(principal: Principal, id: string) {
    const accountId = accountOf(principal);
    const lease = await this.visible(accountId, id);
    if (lease.sellerId !== accountId)
      throw new DomainError('FORBIDDEN', 'only the seller interrupts a lease');
    return this.writer.submit((state, batch, now) => {
      const live = this.active(state.leases.get(id), id);
      const market = state.markets.get(live.symbol);
      if (market?.leaseClass !== 'int') {
        throw new DomainError(
          'INVALID_REQUEST',
          `${live.symbol} is a firm market: its leases cannot be interrupted`,
        );
      }
      if (live.interruptAt) throw new DomainError('CONFLICT', 'the lease is already being interrupted');
      interruptLease(batch, live, new Date(now), market.noticeMinutes);
      return leaseView(live, accountId);
    });
  }

  /** Release and interrupt apply to a lease whose GPUs the buyer has (not one still provisioning, or over). */
  private active(lease: LeaseRecord | undefined, id: string): LeaseRecord {
    if (!lease) throw new DomainError('LEASE_NOT_ACTIVE', `lease ${id} has ended`);
    if (lease.status !== 'active')
      throw new DomainError('LEASE_NOT_ACTIVE', `lease ${id} is still provisioning`);
    return lease;
  }

  /** A lease this account is party to, or NOT_FOUND. */
  private async visible(accountId: string, id: string): Promise<LeaseRecord> {
    const lease = await this.leases.findOne(id);
    if (!lease || (lease.buyerId !== accountId && lease.sellerId !== accountId)) {
      throw new DomainError('NOT_FOUND', `no lease ${id}`);
    }
    return lease;
  }
}
