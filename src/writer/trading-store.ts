import type { TradingState } from '../trading/state/trading-state';
import type { CommittedBatch } from './committed-batch';

/** Where the writer stands in the database: the last batch committed and the last outbox event's number. */
export interface StorePosition {
  readonly batch: number;
  readonly outboxSeq: number;
}

/** The trading state as committed, where the writer stands, and the namespace its ids are made in. */
export interface LoadedTrading {
  readonly state: TradingState;
  readonly position: StorePosition;
  readonly idNamespace: string;
}

/** A batch to write: everything it must record, and the time priority counter after it. */
export interface BatchToCommit extends CommittedBatch {
  readonly nextPriority: number;
}

/** The database refused the data of the statement (a data or integrity error): nothing was written. */
export class CommitRefused extends Error {
  constructor(
    message: string,
    /** The SQLSTATE, when the database gave one. */
    readonly code: string | null,
  ) {
    super(message);
  }
}

/** Nothing was written, for a reason that is not the batch's data (the database is down, a timeout, fenced). */
export class CommitFailed extends Error {}

/** The connection broke while the statement was on its way or running: it may or may not have committed. */
export class CommitOutcomeUnknown extends Error {}

/**
 * The single writer's port to the database: load the committed trading state, write one batch atomically (all of
 * it or, with one of the errors above, none of it), and say which batch was the last to commit.
 */
export abstract class TradingStore {
  abstract load(): Promise<LoadedTrading>;
  abstract commit(batch: BatchToCommit): Promise<void>;
  /**
   * Where the database stands, read anew after an unknown outcome (once the statement that was lost can no
   * longer commit).
   */
  abstract readPosition(): Promise<StorePosition>;
}
