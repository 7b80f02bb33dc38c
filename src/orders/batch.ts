import Decimal from 'decimal.js';
import type { LeaseRecord } from '../leases/lease-record';
import type { Posting } from '../ledger/ledger.service';
import type { OutboxRow } from '../events/outbox.repository';
import type { WebhookDelivery } from '../provisioning/webhook-delivery';
import type { OrderRecord } from './order-record';

export interface TradeRecord {
  id: string;
  symbol: string;
  seq: number;
  price: Decimal;
  quantity: number;
  durationHours: number;
  takerSide: 'buy' | 'sell';
  buyOrderId: number;
  sellOrderId: number;
  buyerId: string;
  sellerId: string;
  time: Date;
}

/** One command's changes to one book: absolute level quantities, and the book's sequence after them. */
export interface BookUpdate {
  symbol: string;
  sequence: number;
  changes: [side: 'buy' | 'sell', price: Decimal, quantity: number][];
}

export interface LedgerTransaction {
  kind: 'deposit' | 'hold' | 'fill' | 'release' | 'settlement' | 'refund';
  reference: string | null;
  postings: Posting[];
}

/**
 * Everything one group commit writes: new orders, changed orders (their final state), trades, leases, ledger
 * transactions and book sequences. Built while the engine processes the batch's commands, written in one
 * database transaction.
 */
export class Batch {
  readonly created = new Map<number, OrderRecord>();
  readonly changed = new Map<number, OrderRecord>();
  readonly trades: TradeRecord[] = [];
  readonly ledger: LedgerTransaction[] = [];
  readonly bookSequences = new Map<string, number>();
  /** In the order the engine produced them; the market-data feed publishes them once the batch is committed. */
  readonly bookUpdates: BookUpdate[] = [];
  readonly leasesCreated = new Map<string, LeaseRecord>();
  readonly leasesChanged = new Map<string, LeaseRecord>();
  /** Accounts whose SSH public key changed (null: removed). */
  readonly sshKeys = new Map<string, string | null>();
  /** Requests to sellers' clusters (provision, deprovision), sent once the batch is committed. */
  readonly deliveries: WebhookDelivery[] = [];
  /** Its settlement events as the outbox holds them, once committed (the relay publishes them from here). */
  readonly events: OutboxRow[] = [];

  orderChanged(order: OrderRecord): void {
    if (!this.created.has(order.id)) this.changed.set(order.id, order);
  }

  leaseChanged(lease: LeaseRecord): void {
    if (!this.leasesCreated.has(lease.id)) this.leasesChanged.set(lease.id, lease);
  }

  get empty(): boolean {
    return (
      this.created.size === 0 &&
      this.changed.size === 0 &&
      this.trades.length === 0 &&
      this.ledger.length === 0 &&
      this.leasesCreated.size === 0 &&
      this.leasesChanged.size === 0 &&
      this.deliveries.length === 0 &&
      this.sshKeys.size === 0 &&
      this.bookSequences.size === 0
    );
  }
}
