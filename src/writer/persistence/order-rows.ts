import type { WriteStatement } from './write-statement';
import { formatUnits } from '../../trading/money';
import type { OrderSnapshot } from '../../trading/types';

const COLUMNS: [name: string, type: string, value: (o: OrderSnapshot) => unknown][] = [
  ['id', 'bigint', (o) => o.id],
  ['account_id', 'uuid', (o) => o.accountId],
  ['client_order_id', 'text', (o) => o.clientOrderId],
  ['symbol', 'text', (o) => o.symbol],
  ['side', 'text', (o) => o.side],
  ['type', 'text', (o) => o.type],
  ['price', 'numeric', (o) => units(o.price)],
  ['hold_price', 'numeric', (o) => units(o.holdPrice)],
  ['quantity', 'int', (o) => o.quantity],
  ['filled_quantity', 'int', (o) => o.filled],
  ['notional_filled', 'numeric', (o) => o.filledValue.toFixed()],
  ['duration_hours', 'int', (o) => o.durationHours],
  ['available_until', 'timestamptz', (o) => time(o.availableUntil)],
  ['min_quantity', 'int', (o) => o.minQuantity],
  ['time_in_force', 'text', (o) => o.timeInForce],
  ['expire_at', 'timestamptz', (o) => time(o.expireAt)],
  ['post_only', 'boolean', (o) => o.postOnly],
  ['self_trade_prevention', 'text', (o) => o.selfTradePrevention],
  ['cluster_id', 'uuid', (o) => o.clusterId],
  ['status', 'text', (o) => o.status],
  ['reason', 'text', (o) => o.reason],
  ['priority', 'bigint', (o) => o.priority],
  ['created_at', 'timestamptz', (o) => time(o.createdAt)],
  ['updated_at', 'timestamptz', (o) => time(o.updatedAt)],
];

/** What an order can change once it exists. */
const CHANGING = [
  'quantity',
  'filled_quantity',
  'notional_filled',
  'status',
  'reason',
  'price',
  'hold_price',
  'priority',
  'updated_at',
];

const units = (value: number | null): string | null => (value === null ? null : formatUnits(value));
const time = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** New orders (as they were at the end of the batch), in one part of the batch statement. */
export function insertOrders(statement: WriteStatement, orders: OrderSnapshot[]): void {
  if (orders.length === 0) return;
  statement.add(
    `insert into orders (${COLUMNS.map(([name]) => name).join(', ')})
     select * from unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`,
    COLUMNS.map(([, , value]) => orders.map(value)),
  );
}

/** Orders that existed before the batch, as the batch left them. */
export function updateOrders(statement: WriteStatement, orders: OrderSnapshot[]): void {
  if (orders.length === 0) return;
  const columns = COLUMNS.filter(([name]) => name === 'id' || CHANGING.includes(name));
  statement.add(
    `update orders o set ${CHANGING.map((name) => `${name} = v.${name}`).join(', ')}
       from unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
         as v (${columns.map(([name]) => name).join(', ')})
      where o.id = v.id`,
    columns.map(([, , value]) => orders.map(value)),
  );
}
