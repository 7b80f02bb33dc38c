import type { PrivateChannel } from '../gateway/private-feed';
import type { BookState } from '../market-data/market-feed';
import type { BookChangedEvent, MarketOpenedEvent, TradeExecutedEvent } from '../trading/events';

/** What followers need of a committed batch for the public feeds: book changes, trades, new markets. */
export type PublicEvent = BookChangedEvent | TradeExecutedEvent | MarketOpenedEvent;

/** An account's message, built: `[accountId, channel, message]`. */
export type BuiltPrivateMessage = [accountId: string, channel: PrivateChannel, message: unknown];

/**
 * The leader's committed stream, as followers read it (directly, or through Kafka): a snapshot of every book
 * to start from, then each committed batch's public events and private messages, and a heartbeat a second.
 * `batch` numbers grow across leaders (a new leader goes on from the database's), so a follower skips what a
 * snapshot already holds.
 */
export type StreamMessage =
  | {
      type: 'snapshot';
      epoch: number;
      /** The last batch the books hold. */
      batch: number;
      books: BookState[];
    }
  | {
      type: 'batch';
      number: number;
      /** When it became durable on the leader. */
      time: string;
      events: PublicEvent[];
      private: BuiltPrivateMessage[];
    }
  | { type: 'heartbeat'; batch: number; time: string };

export type BatchMessage = Extract<StreamMessage, { type: 'batch' }>;
export type SnapshotMessage = Extract<StreamMessage, { type: 'snapshot' }>;

/** Where the leader's stream goes (and a follower reads it) through Kafka, after the prefix. */
export const STREAM_TOPICS = { public: 'exchange.market-data', private: 'exchange.private' } as const;

/** The internal routes of the leader (see InternalController). */
export const STREAM_PATH = '/internal/v1/stream';
export const SNAPSHOT_PATH = '/internal/v1/snapshot';
