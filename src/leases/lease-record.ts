import Decimal from 'decimal.js';

export type LeaseStatus = 'provisioning' | 'active' | 'ended' | 'released' | 'interrupted' | 'failed';

/** A lease as the exchange keeps it (in the writer's memory while live, and in the `leases` table). */
export interface LeaseRecord {
  id: string;
  tradeId: string;
  symbol: string;
  buyerId: string;
  sellerId: string;
  clusterId: string;
  quantity: number;
  price: Decimal;
  durationHours: number;
  feeBps: number;
  status: LeaseStatus;
  startAt: Date | null;
  endAt: Date | null;
  /** A lease still provisioning at this time fails, and the buyer is refunded in full. */
  provisionDeadline: Date | null;
  /** What the cluster handed the buyer (SSH endpoint, credentials): shown to the buyer only. */
  access: Record<string, unknown> | null;
  /** Why provisioning failed. */
  failureReason: string | null;
  /** When an interrupt's notice runs out (interruptible markets). */
  interruptAt: Date | null;
  endedAt: Date | null;
  paid: Decimal | null;
  fee: Decimal | null;
  refunded: Decimal | null;
  createdAt: Date;
  updatedAt: Date;
}

export const isLive = (lease: LeaseRecord): boolean =>
  lease.status === 'provisioning' || lease.status === 'active';

/** What the buyer escrowed for the lease: price x GPUs x hours. */
export const notionalOf = (lease: LeaseRecord): Decimal =>
  lease.price.times(lease.quantity).times(lease.durationHours);
