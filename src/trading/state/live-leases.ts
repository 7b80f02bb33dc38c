import type { LeaseSnapshot } from '../types';

/** When a live lease must be settled: its provisioning deadline, its interrupt notice's end, or its end. */
function dueAt(lease: LeaseSnapshot): number | null {
  if (lease.status === 'provisioning' || lease.status === 'verifying') return lease.provisionDeadline;
  if (lease.interruptAt !== null && lease.endAt !== null && lease.interruptAt < lease.endAt)
    return lease.interruptAt;
  return lease.endAt;
}

/** Leases not yet over (provisioning, verifying or active): their GPUs stay committed to their cluster until they end. */
export class LiveLeases {
  private readonly byId = new Map<string, LeaseSnapshot>();

  constructor(leases: Iterable<LeaseSnapshot>) {
    for (const lease of leases) this.byId.set(lease.id, lease);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): LeaseSnapshot | undefined {
    return this.byId.get(id);
  }

  /** Adds or replaces a live lease. */
  put(lease: LeaseSnapshot): void {
    this.byId.set(lease.id, lease);
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  /** The leases due by `now`, earliest first (ties by id), each with the time it was due. */
  due(now: number): { lease: LeaseSnapshot; at: number }[] {
    const due: { lease: LeaseSnapshot; at: number }[] = [];
    for (const lease of this.byId.values()) {
      const at = dueAt(lease);
      if (at !== null && at <= now) due.push({ lease, at });
    }
    return due.sort((a, b) => a.at - b.at || (a.lease.id < b.lease.id ? -1 : 1));
  }

  /** Sorted by id (for the state hash). */
  sorted(): LeaseSnapshot[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}
