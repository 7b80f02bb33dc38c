import type Decimal from 'decimal.js';
import type { SelfTradePrevention, Side, TimeInForce } from '../engine/types';

/**
 * The trading core's records. Every one is immutable: a change makes a new record, so an event can carry the
 * record itself and nothing that happens later alters what it says. Prices are integer engine units (micro-USD
 * per GPU-hour), money is decimal.js (USD), times are milliseconds since the epoch.
 */

export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'expired' | 'rejected';

export interface OrderSnapshot {
  readonly id: number;
  readonly accountId: string;
  /** The account's integer id in the matching engine (self-trade prevention compares these). */
  readonly engineAccountId: number;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'limit' | 'market';
  /** The limit price (null for a market order). */
  readonly price: number | null;
  /** Buys: the price the hold was taken at (the limit, or a market buy's funds cap). */
  readonly holdPrice: number | null;
  readonly quantity: number;
  readonly filled: number;
  /** Sum of price x quantity over fills (USD per hour), for the average price. */
  readonly filledValue: Decimal;
  readonly durationHours: number | null;
  readonly availableUntil: number | null;
  readonly minQuantity: number | null;
  readonly timeInForce: TimeInForce;
  readonly expireAt: number | null;
  readonly postOnly: boolean;
  readonly selfTradePrevention: SelfTradePrevention;
  readonly clusterId: string | null;
  readonly status: OrderStatus;
  readonly reason: string | null;
  /** Time priority: the order of entry into the book, used to rebuild books after a restart. */
  readonly priority: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TradeRecord {
  /** `<symbol>:<seq>` */
  readonly id: string;
  readonly symbol: string;
  readonly seq: number;
  readonly price: number;
  readonly quantity: number;
  readonly durationHours: number;
  readonly takerSide: Side;
  readonly buyOrderId: number;
  readonly sellOrderId: number;
  readonly buyerId: string;
  readonly sellerId: string;
  readonly leaseId: string;
  readonly time: number;
}

export type LeaseStatus =
  'provisioning' | 'verifying' | 'active' | 'ended' | 'released' | 'interrupted' | 'failed';

/**
 * A cluster's acceptance report on a lease's allocation (PROTOCOL.md's `checks`): whether it passed, how many GPUs
 * it found, and whatever figures the agent measured (nodes up, devices, bandwidth), kept as sent.
 */
export interface AcceptanceChecks {
  readonly passed: boolean;
  readonly gpus: number;
  readonly [figure: string]: unknown;
}

/** Why a lease was credited, and the formula's inputs (see the README's SLA credits). */
export interface CreditTerms {
  readonly reason: 'late_activation' | 'ended_early' | 'not_delivered';
  /** GPU-hours the buyer was promised and did not get (late hours count here too). */
  readonly undeliveredGpuHours: Decimal;
  /** USD per GPU-hour. */
  readonly price: Decimal;
  readonly creditBps: number;
  /** undelivered GPU-hours x price x creditBps / 10000, before the cap. */
  readonly penalty: Decimal;
  /** What the seller had available to pay it from (this lease's payout included). */
  readonly cap: Decimal;
}

export interface LeaseSnapshot {
  readonly id: string;
  readonly tradeId: string;
  readonly symbol: string;
  readonly buyerId: string;
  readonly sellerId: string;
  readonly clusterId: string;
  readonly quantity: number;
  readonly price: number;
  readonly durationHours: number;
  readonly feeBps: number;
  /** The market's SLA credit rate, fixed when the lease opened (basis points of the undelivered notional). */
  readonly creditBps: number;
  /** When the lease was promised to be active; later than this earns the buyer a credit (null: instant). */
  readonly activateBy: number | null;
  /** Whether the lease may only go active on passed acceptance checks (the market's or operator's rule). */
  readonly requireChecks: boolean;
  readonly status: LeaseStatus;
  readonly startAt: number | null;
  readonly endAt: number | null;
  /** A lease still provisioning at this time fails, and the buyer is refunded in full. */
  readonly provisionDeadline: number | null;
  /** What the cluster handed the buyer (SSH endpoint, credentials): shown to the buyer only. */
  readonly access: Readonly<Record<string, unknown>> | null;
  readonly failureReason: string | null;
  /** The cluster's acceptance report, when it sent one (null: the lease is unverified). */
  readonly checks: AcceptanceChecks | null;
  /** When an interrupt's notice runs out (interruptible markets). */
  readonly interruptAt: number | null;
  readonly endedAt: number | null;
  readonly paid: Decimal | null;
  readonly fee: Decimal | null;
  readonly refunded: Decimal | null;
  /** The SLA credit the seller paid the buyer (null: none). */
  readonly credited: Decimal | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Where money sits. Accounts: available, held (for open buys), escrow (for leases). The exchange: deposits, revenue. */
export type Book = 'available' | 'held' | 'escrow' | 'deposits' | 'revenue';

export interface Posting {
  readonly accountId: string;
  readonly book: Book;
  /** Signed: what this book gains (negative: loses). */
  readonly amount: Decimal;
}

export type LedgerKind = 'deposit' | 'hold' | 'release' | 'fill' | 'settlement' | 'refund' | 'credit';

/** One balanced movement of money (its postings sum to zero), with the ids of what it belongs to. */
export interface LedgerTransaction {
  readonly kind: LedgerKind;
  /** The order it holds or releases money for, or the buy order of a fill. */
  readonly orderId: number | null;
  readonly tradeId: string | null;
  readonly leaseId: string | null;
  readonly postings: readonly Posting[];
  /** A credit's reason and the formula's inputs. */
  readonly credit?: CreditTerms;
}

export type WebhookType = 'lease.provision' | 'lease.interrupt' | 'lease.deprovision';

/**
 * A request to a seller's cluster. Its id is the `webhook-id` of every attempt and its payload is fixed here, so
 * each retry sends the same bytes and the cluster can dedupe.
 */
export interface WebhookRequest {
  readonly id: string;
  readonly type: WebhookType;
  readonly leaseId: string;
  readonly clusterId: string;
  readonly payload: string;
  readonly createdAt: number;
}

/** One side's level at a price, with its new absolute quantity (0 removes it). */
export type LevelChange = readonly [side: Side, price: number, quantity: number];

/** A market as the core trades it (the catalog's definition). */
export interface MarketTerms {
  readonly symbol: string;
  readonly gpu: string;
  readonly region: string;
  readonly leaseClass: 'firm' | 'int';
  /** USD per GPU-hour, a decimal string with at most 6 decimals. */
  readonly tickSize: string;
  readonly lotSize: number;
  readonly minDurationHours: number;
  readonly maxDurationHours: number;
  readonly feeBps: number;
  readonly noticeMinutes: number;
  /** Minutes from trade to `active` the market promises; later earns the buyer an SLA credit. */
  readonly activationMinutes: number;
  /** SLA credit rate: basis points of the undelivered notional the seller pays the buyer. */
  readonly creditBps: number;
  /** Leases go active only on passed acceptance checks (a cluster answering without checks fails them). */
  readonly requireChecks: boolean;
}

/** A seller's cluster as a sell order needs it. */
export interface ClusterTerms {
  readonly id: string;
  readonly accountId: string;
  readonly gpu: string;
  readonly region: string;
  readonly gpuCount: number;
}

/** Who trades: the account, and its integer id in the engine. */
export interface Trader {
  readonly accountId: string;
  readonly engineAccountId: number;
}

/**
 * How a trade's lease starts. `webhook`: the lease waits in `provisioning` until the seller's cluster hands the
 * GPUs over (or fails at the deadline). `instant`: no cluster is called, the lease is active at once.
 */
export type ProvisioningPolicy =
  { mode: 'instant' } | { mode: 'webhook'; deadlineMs: number; requireChecks: boolean };
