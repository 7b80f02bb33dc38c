import { WriteStatement } from './write-statement';
import type {
  LeaseSnapshot,
  LedgerTransaction,
  OrderSnapshot,
  TradeRecord,
  WebhookRequest,
} from '../../trading/types';
import type { BatchToCommit } from '../trading-store';
import { insertDeliveries } from './delivery-rows';
import { insertLeases, updateLeases } from './lease-rows';
import { insertLedger } from './ledger-rows';
import { insertOrders, updateOrders } from './order-rows';
import { insertOutbox } from './outbox-rows';
import { insertTrades } from './trade-rows';

/** A batch's rows: what its events created and changed (each record as the batch left it). */
class BatchRows {
  readonly newOrders = new Map<number, OrderSnapshot>();
  readonly changedOrders = new Map<number, OrderSnapshot>();
  readonly trades: TradeRecord[] = [];
  readonly newLeases = new Map<string, LeaseSnapshot>();
  readonly changedLeases = new Map<string, LeaseSnapshot>();
  readonly ledger: LedgerTransaction[] = [];
  readonly webhooks: WebhookRequest[] = [];
  readonly sshKeys = new Map<string, string | null>();
  readonly bookSequences = new Map<string, number>();

  constructor(batch: BatchToCommit) {
    for (const { events } of batch.entries) {
      for (const e of events) {
        switch (e.type) {
          case 'order.created':
            this.newOrders.set(e.order.id, e.order);
            break;
          case 'order.updated':
            (this.newOrders.has(e.order.id) ? this.newOrders : this.changedOrders).set(e.order.id, e.order);
            break;
          case 'trade.executed':
            this.trades.push(e.trade);
            break;
          case 'lease.changed':
            (e.transition === 'opened' || this.newLeases.has(e.lease.id)
              ? this.newLeases
              : this.changedLeases
            ).set(e.lease.id, e.lease);
            break;
          case 'ledger.posted':
            this.ledger.push(e.transaction);
            break;
          case 'webhook.requested':
            this.webhooks.push(e.request);
            break;
          case 'account.ssh_key_set':
            this.sshKeys.set(e.accountId, e.key);
            break;
          case 'book.changed':
            this.bookSequences.set(e.symbol, e.sequence);
            break;
          case 'market.opened':
            break; // the market's row is written by whoever added it, before the command
        }
      }
    }
  }
}

/**
 * A whole batch as one statement of a fixed number of set-based parts whatever its size: one round trip, atomic
 * on its own. It also moves the writer's position from batch n - 1 to n, and fails as a whole unless the
 * database is at n - 1 (see the trading_writer migration).
 */
export function batchStatement(batch: BatchToCommit, epoch: number): WriteStatement {
  const rows = new BatchRows(batch);
  const statement = new WriteStatement();
  insertOrders(statement, [...rows.newOrders.values()]);
  updateOrders(statement, [...rows.changedOrders.values()]);
  insertTrades(statement, rows.trades);
  insertLeases(statement, [...rows.newLeases.values()]);
  updateLeases(statement, [...rows.changedLeases.values()]);
  insertDeliveries(statement, rows.webhooks);
  insertLedger(statement, rows.ledger);
  insertOutbox(statement, batch.settlement);
  if (rows.sshKeys.size > 0) {
    statement.add(
      `update accounts a set ssh_public_key = v.key from unnest($1::uuid[], $2::text[]) as v (id, key)
        where a.id = v.id`,
      [[...rows.sshKeys.keys()], [...rows.sshKeys.values()]],
    );
  }
  if (rows.bookSequences.size > 0) {
    statement.add(
      `update markets m set book_sequence = v.sequence from unnest($1::text[], $2::bigint[]) as v (symbol, sequence)
        where m.symbol = v.symbol`,
      [[...rows.bookSequences.keys()], [...rows.bookSequences.values()]],
    );
  }
  // First: a leader deposed since (a new epoch) writes nothing, whatever else holds.
  statement.check(`leader_is($1::bigint)`, [epoch]);
  const position = statement.add(
    `update trading_writer set batch = $1, next_priority = $2 where id = 1 and batch = $1 - 1 returning 1`,
    [batch.number, batch.nextPriority],
  );
  statement.check(`writer_at((select count(*) from ${position}), $1::bigint)`, [batch.number]);
  return statement;
}
