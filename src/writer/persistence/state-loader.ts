import Decimal from 'decimal.js';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { EXCHANGE_ACCOUNT_ID } from '../../trading/accounts';
import { ZERO, formatMoney } from '../../trading/money';
import { TradingStateBuilder } from '../../trading/state/build-state';
import { CLIENT_ORDER_RECALL } from '../../trading/state/open-orders';
import type { LeaseSnapshot, MarketTerms } from '../../trading/types';
import type { LoadedTrading } from '../trading-store';
import { CopyRow, CopyTextReader } from './copy-text-reader';
import { OPEN_ORDERS_COPY, OPEN_ORDER_COLUMNS, OpenOrderRows, epochMs as ms } from './open-order-rows';

interface LeaseRow {
  id: string;
  trade_id: string;
  symbol: string;
  buyer_id: string;
  seller_id: string;
  cluster_id: string;
  quantity: number;
  price: string;
  duration_hours: number;
  fee_bps: number;
  status: LeaseSnapshot['status'];
  start_at: string | null;
  end_at: string | null;
  interrupt_at: string | null;
  ended_at: string | null;
  paid: string | null;
  fee: string | null;
  refunded: string | null;
  provision_deadline: string | null;
  access: Record<string, unknown> | null;
  failure_reason: string | null;
  credit_bps: number;
  activate_by: string | null;
  require_checks: boolean;
  checks: LeaseSnapshot['checks'];
  credited: string | null;
  created_at: string;
  updated_at: string;
}

const LIVE_LEASES = `select id, trade_id, symbol, buyer_id, seller_id, cluster_id, quantity,
  (price * 1000000)::bigint as price, duration_hours, fee_bps, status, ${ms('start_at')} as start_at,
  ${ms('end_at')} as end_at, ${ms('interrupt_at')} as interrupt_at, ${ms('ended_at')} as ended_at, paid, fee,
  refunded, ${ms('provision_deadline')} as provision_deadline, access, failure_reason, credit_bps,
  ${ms('activate_by')} as activate_by, require_checks, checks, credited,
  ${ms('created_at')} as created_at, ${ms('updated_at')} as updated_at
  from leases where status in ('provisioning', 'verifying', 'active')`;

const num = (v: string | null): number | null => (v === null ? null : Number(v));
const decimal = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));

function leaseOf(r: LeaseRow): LeaseSnapshot {
  return {
    id: r.id,
    tradeId: r.trade_id,
    symbol: r.symbol,
    buyerId: r.buyer_id,
    sellerId: r.seller_id,
    clusterId: r.cluster_id,
    quantity: r.quantity,
    price: Number(r.price),
    durationHours: r.duration_hours,
    feeBps: r.fee_bps,
    creditBps: r.credit_bps,
    activateBy: num(r.activate_by),
    requireChecks: r.require_checks,
    status: r.status,
    startAt: num(r.start_at),
    endAt: num(r.end_at),
    provisionDeadline: num(r.provision_deadline),
    access: r.access,
    failureReason: r.failure_reason,
    checks: r.checks,
    interruptAt: num(r.interrupt_at),
    endedAt: num(r.ended_at),
    paid: decimal(r.paid),
    fee: decimal(r.fee),
    refunded: decimal(r.refunded),
    credited: decimal(r.credited),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/**
 * Reads the committed trading state in one read-only snapshot: the small tables with plain queries, the open
 * orders as one COPY stream parsed as it arrives (PostgreSQL formats rows on its core while this process builds
 * orders on its own). Linear in the open orders, apart from one sort per book side.
 */
export async function loadTradingState(client: PoolClient): Promise<LoadedTrading> {
  await client.query('begin isolation level repeatable read read only');
  try {
    // The writer's statement timeout is for batches; streaming a large book may take longer.
    await client.query('set local statement_timeout = 0');
    const [writer] = (
      await client.query(`select batch, next_priority, id_namespace from trading_writer where id = 1`)
    ).rows;
    const markets = await loadMarkets(client);
    const accounts = new Map<number, string>();
    const sshKeys = new Map<string, string>();
    for (const row of (await client.query(`select id, engine_id, ssh_public_key from accounts`)).rows) {
      accounts.set(Number(row.engine_id), row.id);
      if (row.ssh_public_key !== null) sshKeys.set(row.id, row.ssh_public_key);
    }
    const [maxOrder] = (await client.query(`select coalesce(max(id), 0) as id from orders`)).rows;
    const builder = new TradingStateBuilder(markets, {
      nextOrderId: Number(maxOrder.id) + 1,
      nextPriority: Number(writer.next_priority),
    });
    const orders = new OpenOrderRows(
      accounts,
      markets.map((m) => m.symbol),
    );
    await streamRows(client, OPEN_ORDERS_COPY, OPEN_ORDER_COLUMNS, (row) =>
      builder.addOrder(orders.snapshot(row)),
    );
    const books = new Map<string, { sequence: number; lastTradeId: number }>();
    for (const row of (
      await client.query(
        `select symbol, book_sequence, (select max(seq) from trades t where t.symbol = m.symbol) as last_trade
           from markets m`,
      )
    ).rows)
      books.set(row.symbol, {
        sequence: Number(row.book_sequence),
        lastTradeId: Number(row.last_trade ?? 0),
      });
    const available = new Map<string, Decimal>();
    let deposited = ZERO;
    for (const row of (
      await client.query(
        `select account_id, book, amount from balances
          where (book = 'available' and amount <> 0) or (book = 'deposits' and account_id = $1)`,
        [EXCHANGE_ACCOUNT_ID],
      )
    ).rows) {
      if (row.book === 'available') available.set(row.account_id, new Decimal(row.amount));
      else deposited = new Decimal(row.amount).negated();
    }
    const clusterSizes = new Map<string, number>(
      (await client.query(`select id, gpu_count from clusters`)).rows.map((r) => [r.id, r.gpu_count]),
    );
    const liveLeases = (await client.query(LIVE_LEASES)).rows.map(leaseOf);
    const recentClientOrders = (
      await client.query(
        `select id, account_id, client_order_id from orders
          where id > $1::bigint - $2 and client_order_id is not null order by id`,
        [maxOrder.id, CLIENT_ORDER_RECALL],
      )
    ).rows.map((r) => ({ id: Number(r.id), accountId: r.account_id, clientOrderId: r.client_order_id }));
    const [lastOutbox] = (await client.query(`select last_seq from outbox order by first_seq desc limit 1`))
      .rows;
    await client.query('commit');
    const built = builder.build({
      books,
      liveLeases,
      available,
      deposited,
      clusterSizes,
      sshKeys,
      recentClientOrders,
    });
    return {
      state: built,
      position: { batch: Number(writer.batch), outboxSeq: Number(lastOutbox?.last_seq ?? 0) },
      idNamespace: writer.id_namespace,
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

async function loadMarkets(client: PoolClient): Promise<MarketTerms[]> {
  const rows = (
    await client.query(
      `select symbol, gpu, region, lease_class, tick_size, lot_size, min_duration_hours, max_duration_hours,
              fee_bps, notice_minutes, activation_minutes, credit_bps, require_checks
         from markets order by symbol`,
    )
  ).rows;
  return rows.map((r) => ({
    symbol: r.symbol,
    gpu: r.gpu,
    region: r.region,
    leaseClass: r.lease_class,
    tickSize: formatMoney(r.tick_size),
    lotSize: r.lot_size,
    minDurationHours: r.min_duration_hours,
    maxDurationHours: r.max_duration_hours,
    feeBps: r.fee_bps,
    noticeMinutes: r.notice_minutes,
    activationMinutes: r.activation_minutes,
    creditBps: r.credit_bps,
    requireChecks: r.require_checks,
  }));
}

/** Runs a COPY ... TO STDOUT and hands each row to `onRow` as its bytes arrive. */
async function streamRows(
  client: PoolClient,
  sql: string,
  columns: number,
  onRow: (row: CopyRow) => void,
): Promise<void> {
  const reader = new CopyTextReader(columns, onRow);
  for await (const chunk of client.query(copyTo(sql))) reader.push(chunk as Buffer);
  reader.finish();
}
