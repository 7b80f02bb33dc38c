import type { TradingCommand } from '../trading/commands';
import type { TradingEvent } from '../trading/events';
import type { Outcome } from '../trading/results';
import type { OutboxRow } from './settlement-events';

/** One command of a committed batch: what it was, when it ran, what it answered and what it did. */
export interface CommittedEntry {
  readonly command: TradingCommand;
  readonly now: number;
  readonly outcome: Outcome;
  readonly events: readonly TradingEvent[];
}

/**
 * A batch as the database holds it, handed to everything downstream (market and private feeds, the relay, the
 * webhook dispatcher) once, in commit order, before any of its commands is answered.
 */
export interface CommittedBatch {
  /** The writer's batch number (one more than the batch before). */
  readonly number: number;
  readonly entries: readonly CommittedEntry[];
  /** Its settlement events, numbered as the outbox holds them. */
  readonly settlement: readonly OutboxRow[];
}
