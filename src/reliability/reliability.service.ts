import { Inject, Injectable } from '@nestjs/common';
import { ClustersRepository } from '../clusters/clusters.repository';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { MarketsService } from '../markets/markets.service';
import { DeliveryRecord, ReliabilityRepository } from './reliability.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Sellers listed in a market's record. */
const MARKET_SELLERS = 50;

const NOTHING_YET: DeliveryRecord = {
  leases: 0,
  delivered: 0,
  active: 0,
  failed: 0,
  interrupted: 0,
  lost: 0,
  credited: 0,
  creditsPaid: '0',
  verified: 0,
  unverified: 0,
  onTimeActivationPct: null,
  medianSecondsToActive: null,
  gpuHoursDelivered: '0',
};

/** Each seller's delivery record, public: what buyers weigh beside the price. */
@Injectable()
export class ReliabilityService {
  constructor(
    @Inject(ReliabilityRepository) private readonly records: ReliabilityRepository,
    @Inject(ClustersRepository) private readonly clusters: ClustersRepository,
    @Inject(MarketsService) private readonly markets: MarketsService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** The seller's record and each of its clusters' (NOT_FOUND for an account with no cluster). */
  async seller(sellerId: string) {
    const clusters = UUID.test(sellerId) ? await this.clusters.listByAccount(sellerId) : [];
    if (clusters.length === 0) throw new DomainError('NOT_FOUND', 'no seller with a cluster has this id');
    const now = new Date(this.clock.now());
    const { seller, clusters: byCluster } = await this.records.ofSeller(sellerId, now);
    return {
      sellerId,
      asOf: now.toISOString(),
      ...(seller ?? NOTHING_YET),
      clusters: clusters.map((c) => ({
        clusterId: c.id,
        name: c.name,
        gpu: c.gpu,
        region: c.region,
        status: c.status,
        ...(byCluster.get(c.id) ?? NOTHING_YET),
      })),
    };
  }

  /** The record of all the market's sellers together, and of each (most GPU-hours delivered first). */
  async market(symbol: string) {
    await this.markets.get(symbol);
    const now = new Date(this.clock.now());
    const { all, sellers } = await this.records.ofMarket(symbol, now, MARKET_SELLERS);
    return { symbol, asOf: now.toISOString(), ...all, sellers };
  }
}
