import type {
  LeaseSnapshot,
  LeaseStatus,
  LedgerTransaction,
  LevelChange,
  MarketTerms,
  OrderSnapshot,
  TradeRecord,
  WebhookRequest,
} from './types';

/**
 * What a command did, in the order it happened. Events are immutable and carry the records as they were at that
 * point: everything downstream (the write statement, the outbox, the feeds, webhooks and acks) is built from the
 * events of committed commands, never from live state.
 */
export type TradingEvent =
  | OrderCreatedEvent
  | OrderUpdatedEvent
  | TradeExecutedEvent
  | LeaseChangedEvent
  | LedgerPostedEvent
  | WebhookRequestedEvent
  | BookChangedEvent
  | SshKeySetEvent
  | MarketOpenedEvent;

export interface OrderCreatedEvent {
  readonly type: 'order.created';
  readonly order: OrderSnapshot;
}

export interface OrderUpdatedEvent {
  readonly type: 'order.updated';
  readonly order: OrderSnapshot;
}

export interface TradeExecutedEvent {
  readonly type: 'trade.executed';
  readonly trade: TradeRecord;
}

/**
 * How a lease moved: opened by a trade, set up and being checked, activated by its cluster, given notice, or ended
 * one of five ways (`lost`: the cluster lost its GPUs mid-lease, and the lease ends `interrupted`).
 */
export type LeaseTransition =
  | 'opened'
  | 'verifying'
  | 'activated'
  | 'failed'
  | 'interrupt_noticed'
  | 'ended'
  | 'released'
  | 'interrupted'
  | 'lost';

export interface LeaseChangedEvent {
  readonly type: 'lease.changed';
  readonly transition: LeaseTransition;
  /** null when the lease was just opened. */
  readonly from: LeaseStatus | null;
  readonly to: LeaseStatus;
  readonly lease: LeaseSnapshot;
}

export interface LedgerPostedEvent {
  readonly type: 'ledger.posted';
  readonly transaction: LedgerTransaction;
}

export interface WebhookRequestedEvent {
  readonly type: 'webhook.requested';
  readonly request: WebhookRequest;
}

/** One command's changes to one book, and the book's sequence after them. */
export interface BookChangedEvent {
  readonly type: 'book.changed';
  readonly symbol: string;
  readonly sequence: number;
  readonly changes: readonly LevelChange[];
}

export interface SshKeySetEvent {
  readonly type: 'account.ssh_key_set';
  readonly accountId: string;
  readonly key: string | null;
}

export interface MarketOpenedEvent {
  readonly type: 'market.opened';
  readonly market: MarketTerms;
}
