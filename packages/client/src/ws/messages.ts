import type { WireLevel } from '../book/checksum-text';
import type { Side } from '../book/local-book';
import type { components } from '../generated/openapi';

type Schemas = components['schemas'];
export type Order = Schemas['Order'];
export type Fill = Schemas['Fill'];
export type Lease = Schemas['Lease'];
/** What a place takes: the body of `POST /v1/orders`. */
export type PlaceOrder = Schemas['PlaceOrderDto'];
/** What an amend changes: the body of `PATCH /v1/orders/{id}`. */
export type AmendOrder = Schemas['AmendOrderDto'];

export type PublicChannel = 'book' | 'trades' | 'ticker';
export type PrivateChannel = 'orders' | 'fills' | 'leases';

/** The feed messages of PROTOCOL.md's "Server -> client". */
export interface BookSnapshot {
  channel: 'book';
  type: 'snapshot';
  symbol: string;
  sequence: number;
  bids: WireLevel[];
  asks: WireLevel[];
  checksum: number;
}
export interface BookUpdate {
  channel: 'book';
  type: 'update';
  symbol: string;
  sequence: number;
  changes: [Side, string, number][];
  checksum: number;
}
export interface TradeMessage {
  channel: 'trades';
  symbol: string;
  tradeId: string;
  price: string;
  quantity: number;
  durationHours: number;
  takerSide: Side;
  time: string;
}
export interface TickerMessage {
  channel: 'ticker';
  symbol: string;
  bestBid: string | null;
  bestAsk: string | null;
  last: string | null;
  volume24h: number;
  time: string;
}
export interface HeartbeatMessage {
  channel: 'heartbeat';
  symbol: string;
  sequence: number;
  lastTradeId: string | null;
  time: string;
}

/** Any frame the exchange sends (replies carry the `requestId` they answer). */
export type ServerFrame = Record<string, unknown> & {
  type?: string;
  channel?: string;
  symbol?: string;
  requestId?: string;
};
