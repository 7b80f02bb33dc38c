import Decimal from 'decimal.js';
import type { SelfTradePrevention, Side, TimeInForce } from '../engine/types';

export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'expired' | 'rejected';

/** An order as the exchange keeps it (in memory while open, and in the `orders` table). */
export interface OrderRecord {
  id: number;
  accountId: string;
  /** The account's integer id in the matching engine (self-trade prevention compares these). */
  engineAccountId: number;
  clientOrderId: string | null;
  symbol: string;
  side: Side;
  type: 'limit' | 'market';
  /** The limit price (null for a market order). */
  price: Decimal | null;
  /** Buys: the price the hold was taken at (the limit, or a market buy's funds cap). */
  holdPrice: Decimal | null;
  quantity: number;
  filled: number;
  /** Sum of price x quantity over fills (per GPU-hour), for the average price. */
  filledValue: Decimal;
  durationHours: number | null;
  availableUntil: Date | null;
  minQuantity: number | null;
  timeInForce: TimeInForce;
  expireAt: Date | null;
  postOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  clusterId: string | null;
  status: OrderStatus;
  reason: string | null;
  /** Time priority: the order of entry into the book, used to rebuild books after a restart. */
  priority: number;
  createdAt: Date;
  updatedAt: Date;
}

export const remainingOf = (o: OrderRecord): number => o.quantity - o.filled;
