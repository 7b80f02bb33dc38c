import { BreakerSettings, CircuitBreaker, Passage } from './circuit-breaker';
import type { WebhookDelivery } from './webhook-delivery';

/** One cluster's pending deliveries, its requests in flight and its breaker. */
class Lane {
  readonly pending = new Map<string, WebhookDelivery>();
  inFlight = 0;

  constructor(
    readonly clusterId: string,
    readonly breaker: CircuitBreaker,
  ) {}
}

export interface LaneLimits {
  /** Requests in flight at once, across all clusters. */
  inFlight: number;
  /** Requests in flight at once to one cluster. */
  inFlightPerCluster: number;
  /** Requests in flight at once to one account's clusters (a seller with many dead clusters holds no more). */
  inFlightPerAccount: number;
  breaker: BreakerSettings;
}

/** A delivery to start now, and how its cluster's breaker lets it through. */
export interface Start {
  delivery: WebhookDelivery;
  passage: Passage;
}

/**
 * The pending webhook deliveries, one lane per cluster, so that no cluster can hold up another: each lane has at
 * most `inFlightPerCluster` requests in flight, and lanes are served round-robin (one delivery from each in turn)
 * when the global cap is what limits. A cluster with a thousand deliveries stuck therefore costs another
 * cluster's delivery at most its turn in one round. One account's clusters together have at most
 * `inFlightPerAccount` requests in flight, so many dead clusters of one seller cannot take every slot either.
 * Pure bookkeeping: time is passed in.
 */
export class DeliveryLanes {
  private readonly lanes = new Map<string, Lane>();
  /** Where the next round starts: the lane after the last one served. */
  private cursor = 0;
  private inFlight = 0;

  constructor(
    private readonly limits: LaneLimits,
    /** The account a cluster belongs to (the cluster itself when it is not known). */
    private readonly accountOf: (clusterId: string) => string = (clusterId) => clusterId,
  ) {}

  /** Pending deliveries by type: how many, and when the oldest was created (ms). */
  backlog(): Map<string, { count: number; oldest: number }> {
    const byType = new Map<string, { count: number; oldest: number }>();
    for (const lane of this.lanes.values()) {
      for (const d of lane.pending.values()) {
        const entry = byType.get(d.type) ?? { count: 0, oldest: Infinity };
        entry.count++;
        entry.oldest = Math.min(entry.oldest, d.createdAt.getTime());
        byType.set(d.type, entry);
      }
    }
    return byType;
  }

  has(id: string): boolean {
    for (const lane of this.lanes.values()) if (lane.pending.has(id)) return true;
    return false;
  }

  add(delivery: WebhookDelivery): void {
    this.lane(delivery.clusterId).pending.set(delivery.id, delivery);
  }

  remove(delivery: WebhookDelivery): void {
    this.lanes.get(delivery.clusterId)?.pending.delete(delivery.id);
  }

  breaker(clusterId: string): CircuitBreaker {
    return this.lane(clusterId).breaker;
  }

  /** A started delivery is done (whatever came of it): its lane may start another. */
  finished(delivery: WebhookDelivery): void {
    this.inFlight--;
    this.lane(delivery.clusterId).inFlight--;
  }

  /**
   * The deliveries to start now (due, their lease not busy, within both caps), round-robin across clusters; and
   * when the earliest one not yet due will be (Infinity when none).
   */
  take(now: number, busyLeases: ReadonlySet<string>): { starts: Start[]; nextDue: number } {
    const lanes = [...this.lanes.values()];
    let nextDue = Infinity;
    const candidates: WebhookDelivery[][] = [];
    const leases = new Set(busyLeases); // never two requests about one lease at once
    const accountOf = new Map(lanes.map((lane) => [lane, this.accountOf(lane.clusterId)]));
    const accountLoad = new Map<string, number>();
    for (const [lane, account] of accountOf)
      accountLoad.set(account, (accountLoad.get(account) ?? 0) + lane.inFlight);
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[(this.cursor + i) % lanes.length];
      const room = this.limits.inFlightPerCluster - lane.inFlight;
      const due: WebhookDelivery[] = [];
      if (room > 0) {
        for (const delivery of lane.pending.values()) {
          if (leases.has(delivery.leaseId)) continue;
          const at = delivery.nextAttemptAt.getTime();
          if (at > now) nextDue = Math.min(nextDue, at);
          else if (due.length < room) {
            due.push(delivery);
            leases.add(delivery.leaseId);
          }
        }
      }
      candidates.push(due);
    }
    const starts: Start[] = [];
    let served = -1;
    for (let round = 0; this.inFlight < this.limits.inFlight; round++) {
      let any = false;
      for (let i = 0; i < candidates.length && this.inFlight < this.limits.inFlight; i++) {
        const delivery = candidates[i][round];
        if (!delivery) continue;
        any = true;
        const lane = lanes[(this.cursor + i) % lanes.length];
        const account = accountOf.get(lane) as string;
        const load = accountLoad.get(account) ?? 0;
        if (load >= this.limits.inFlightPerAccount) continue;
        accountLoad.set(account, load + 1);
        lane.inFlight++;
        this.inFlight++;
        starts.push({ delivery, passage: lane.breaker.passage(now) });
        served = (this.cursor + i) % lanes.length;
      }
      if (!any) break;
    }
    if (served >= 0) this.cursor = (served + 1) % lanes.length;
    // A delivery left due because a cap was reached is started when a request in flight finishes.
    return { starts, nextDue };
  }

  private lane(clusterId: string): Lane {
    let lane = this.lanes.get(clusterId);
    if (!lane)
      this.lanes.set(clusterId, (lane = new Lane(clusterId, new CircuitBreaker(this.limits.breaker))));
    return lane;
  }
}
