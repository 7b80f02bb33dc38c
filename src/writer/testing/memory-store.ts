import Decimal from 'decimal.js';
import { EXCHANGE_ACCOUNT_ID } from '../../trading/accounts';
import { ZERO } from '../../trading/money';
import { TradingStateBuilder } from '../../trading/state/build-state';
import { CLIENT_ORDER_RECALL } from '../../trading/state/open-orders';
import type {
  ClusterTerms,
  LeaseSnapshot,
  LedgerTransaction,
  MarketTerms,
  OrderSnapshot,
  TradeRecord,
} from '../../trading/types';
import type { CommittedBatch, CommittedEntry } from '../committed-batch';
import type { OutboxRow } from '../settlement-events';
import {
  BatchToCommit,
  CommitFailed,
  CommitOutcomeUnknown,
  CommitRefused,
  LoadedTrading,
  StorePosition,
  TradingStore,
} from '../trading-store';

/** What happens to one commit: it goes through, or one of the faults a real database and network can cause. */
export type Fault =
  | 'none'
  /** The database refuses it for a reason that is not its data (a timeout, say): nothing is written. */
  | 'fail'
  /** The connection breaks before the statement reaches the database: nothing is written. */
  | 'lost-before'
  /** The statement commits, and the connection breaks before the answer arrives. */
  | 'lost-after'
  /** As lost-after, and the database then stays unreachable (until the test makes it reachable again). */
  | 'lost-after-down';

export const NAMESPACE = '6f0e7a8c-5d1b-4c2e-9a3f-0b1c2d3e4f50';

/**
 * A database in memory behind the writer's store port: tables of committed rows, the same constraints as the
 * PostgreSQL schema where the writer's correctness depends on them (balances never negative, one clientOrderId
 * per account, the writer's position), and faults on the way in. `refuses` names data it refuses (as PostgreSQL
 * refuses a NUL): a command's data that the core accepts but the database does not.
 */
export class MemoryStore extends TradingStore {
  readonly orders = new Map<number, OrderSnapshot>();
  /** Open orders by id, and `${account}:${clientOrderId}` -> id (the unique index). */
  readonly open = new Map<number, OrderSnapshot>();
  private readonly clientOrderIds = new Map<string, number>();
  readonly leases = new Map<string, LeaseSnapshot>();
  readonly trades: TradeRecord[] = [];
  readonly ledger: LedgerTransaction[] = [];
  /** `${account}/${book}` -> amount. */
  readonly balances = new Map<string, Decimal>();
  readonly sshKeys = new Map<string, string>();
  readonly bookSequences = new Map<string, number>();
  readonly outbox: OutboxRow[] = [];
  /** Every committed batch, in commit order (the journal a replay starts from). */
  readonly batches: CommittedBatch[] = [];
  private batch = 0;
  private nextPriority = 1;
  /** Decides each commit's fault (none by default). */
  faultOf: (batch: BatchToCommit) => Fault = () => 'none';
  /** Data the database refuses (besides its constraints). */
  refuses: (order: OrderSnapshot) => boolean = () => false;
  /** While set, nothing reaches the database: loads, commits and reads fail. */
  unreachable = false;
  /** Commits wait for this before they are applied (a slow database). */
  hold: (() => Promise<void>) | null = null;
  loads = 0;

  constructor(
    readonly markets: MarketTerms[],
    readonly clusters: ClusterTerms[],
  ) {
    super();
  }

  async load(): Promise<LoadedTrading> {
    await Promise.resolve();
    if (this.unreachable) throw new Error('connect ECONNREFUSED');
    this.loads++;
    const builder = new TradingStateBuilder(this.markets, {
      nextOrderId: Math.max(0, ...this.orders.keys()) + 1,
      nextPriority: this.nextPriority,
    });
    for (const order of this.open.values()) builder.addOrder(order);
    const available = new Map<string, Decimal>();
    for (const [key, amount] of this.balances) {
      const [account, book] = key.split('/');
      if (book === 'available' && !amount.isZero()) available.set(account, amount);
    }
    const lastTrade = new Map<string, number>();
    for (const t of this.trades) lastTrade.set(t.symbol, Math.max(lastTrade.get(t.symbol) ?? 0, t.seq));
    const state = builder.build({
      books: new Map(
        this.markets.map((m) => [
          m.symbol,
          { sequence: this.bookSequences.get(m.symbol) ?? 0, lastTradeId: lastTrade.get(m.symbol) ?? 0 },
        ]),
      ),
      liveLeases: [...this.leases.values()].filter(
        (l) => l.status === 'provisioning' || l.status === 'verifying' || l.status === 'active',
      ),
      available,
      deposited: this.balanceOf(EXCHANGE_ACCOUNT_ID, 'deposits').negated(),
      clusterSizes: new Map(this.clusters.map((c) => [c.id, c.gpuCount])),
      sshKeys: new Map(this.sshKeys),
      recentClientOrders: [...this.orders.values()]
        .filter((o) => o.clientOrderId !== null && o.id > this.orders.size - CLIENT_ORDER_RECALL)
        .sort((a, b) => a.id - b.id),
    });
    return { state, position: this.position(), idNamespace: NAMESPACE };
  }

  async commit(batch: BatchToCommit): Promise<void> {
    await Promise.resolve();
    if (this.unreachable) throw new CommitFailed('connect ECONNREFUSED');
    const fault = this.faultOf(batch);
    if (this.hold) await this.hold();
    if (fault === 'fail') throw new CommitFailed('canceling statement due to statement timeout');
    if (fault === 'lost-before') throw new CommitOutcomeUnknown('Connection terminated unexpectedly');
    if (batch.number !== this.batch + 1)
      throw new CommitFailed(`the trading writer is not at batch ${batch.number - 1}`);
    this.apply(batch);
    if (fault === 'lost-after-down') this.unreachable = true;
    if (fault === 'lost-after' || fault === 'lost-after-down')
      throw new CommitOutcomeUnknown('Connection terminated unexpectedly');
  }

  async readPosition(): Promise<StorePosition> {
    await Promise.resolve();
    if (this.unreachable) throw new Error('connect ECONNREFUSED');
    return this.position();
  }

  /** Every committed command, in commit order. */
  get journal(): CommittedEntry[] {
    return this.batches.flatMap((b) => b.entries);
  }

  balanceOf(accountId: string, book: string): Decimal {
    return this.balances.get(`${accountId}/${book}`) ?? ZERO;
  }

  private position(): StorePosition {
    return { batch: this.batch, outboxSeq: this.outbox[this.outbox.length - 1]?.seq ?? 0 };
  }

  /** All of the batch or (refused) none of it. */
  private apply(batch: BatchToCommit): void {
    const orders = new Map<number, OrderSnapshot>();
    const deltas = new Map<string, Decimal>();
    for (const { events } of batch.entries) {
      for (const e of events) {
        if (e.type === 'order.created' || e.type === 'order.updated') orders.set(e.order.id, e.order);
        if (e.type === 'ledger.posted') {
          for (const p of e.transaction.postings) {
            const key = `${p.accountId}/${p.book}`;
            deltas.set(key, (deltas.get(key) ?? ZERO).plus(p.amount));
          }
        }
      }
    }
    for (const order of orders.values()) {
      if (this.refuses(order))
        throw new CommitRefused('invalid byte sequence for encoding "UTF8": 0x00', '22021');
      const duplicate =
        order.clientOrderId !== null &&
        [...this.orders.values()].some(
          (o) =>
            o.id !== order.id && o.accountId === order.accountId && o.clientOrderId === order.clientOrderId,
        );
      if (duplicate) throw new CommitRefused('duplicate key value violates unique constraint', '23505');
    }
    for (const [key, delta] of deltas) {
      const after = (this.balances.get(key) ?? ZERO).plus(delta);
      if (after.isNegative() && !key.endsWith('/deposits'))
        throw new CommitRefused('new row violates check constraint "balance_not_negative"', '23514');
    }
    for (const [key, delta] of deltas) this.balances.set(key, (this.balances.get(key) ?? ZERO).plus(delta));
    for (const order of orders.values()) {
      this.orders.set(order.id, order);
      if (order.status === 'open') this.open.set(order.id, order);
      else this.open.delete(order.id);
      if (order.clientOrderId !== null) this.clientOrderIds.set(clientKey(order), order.id);
    }
    for (const { events } of batch.entries) {
      for (const e of events) {
        if (e.type === 'trade.executed') this.trades.push(e.trade);
        else if (e.type === 'lease.changed') this.leases.set(e.lease.id, e.lease);
        else if (e.type === 'ledger.posted') this.ledger.push(e.transaction);
        else if (e.type === 'book.changed') this.bookSequences.set(e.symbol, e.sequence);
        else if (e.type === 'account.ssh_key_set') {
          if (e.key === null) this.sshKeys.delete(e.accountId);
          else this.sshKeys.set(e.accountId, e.key);
        }
      }
    }
    this.outbox.push(...batch.settlement);
    this.batches.push(batch);
    this.batch = batch.number;
    this.nextPriority = batch.nextPriority;
  }
}

const clientKey = (o: OrderSnapshot) => `${o.accountId}:${o.clientOrderId}`;

/** Money for an account, as if deposited before the test: for a store that starts with balances. */
export function fund(store: MemoryStore, accountId: string, usd: string): void {
  const amount = new Decimal(usd);
  const add = (key: string, value: Decimal) =>
    store.balances.set(key, (store.balances.get(key) ?? ZERO).plus(value));
  add(`${accountId}/available`, amount);
  add(`${EXCHANGE_ACCOUNT_ID}/deposits`, amount.negated());
}
