import type { Pool, PoolClient } from 'pg';
import { isDatabaseUnavailable } from '../../common/database-unavailable';
import {
  BatchToCommit,
  CommitFailed,
  CommitOutcomeUnknown,
  CommitRefused,
  LoadedTrading,
  StorePosition,
  TradingStore,
} from '../trading-store';
import { batchStatement } from './batch-statement';
import { loadTradingState } from './state-loader';

/** SQLSTATE classes that mean the data of the statement was refused: data exceptions, integrity violations. */
const REFUSED = /^(22|23)/;
/** expect_rows: a part of the statement did not write the rows it had to (a balance row missing, say). */
const MISSING_ROWS = 'P0001';
/** writer_at: the database is not where this writer thinks it is (another writer committed since). */
const FENCED = 'GX001';
/** leader_is: this node's epoch is no longer the leader's (another node took over). */
const DEPOSED = 'GX002';

/** Where the writer's epoch comes from, and whom to tell when a batch was refused for it. */
export interface Fence {
  readonly epoch: number;
  fenced(): void;
}

const sqlState = (error: unknown): string | null => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
};

/**
 * The trading store on PostgreSQL, through its own pool (the writer's connection, with a statement timeout):
 * each batch is one statement, the state is loaded in one read-only snapshot.
 */
export class PgTradingStore extends TradingStore {
  /** The backend whose connection broke during a commit: it is terminated before the position is read. */
  private lostBackend: number | null = null;

  constructor(
    private readonly pool: Pool,
    /** How long the writer waits for a commit's answer before it counts the connection as lost. */
    private readonly answerTimeoutMs: number,
    private readonly fence: Fence,
  ) {
    super();
  }

  async load(): Promise<LoadedTrading> {
    const client = await this.connect();
    try {
      return await loadTradingState(client);
    } finally {
      client.release();
    }
  }

  async commit(batch: BatchToCommit): Promise<void> {
    const statement = batchStatement(batch, this.fence.epoch);
    let client: PoolClient;
    try {
      client = await this.connect();
    } catch (error) {
      throw new CommitFailed(`cannot reach the database: ${(error as Error).message}`);
    }
    try {
      // `query_timeout` (the client's own wait) is a per-query option of pg that its types leave out.
      const query = { text: statement.text, values: statement.params, query_timeout: this.answerTimeoutMs };
      await client.query(query as { text: string; values: unknown[] });
      client.release();
    } catch (error) {
      const code = sqlState(error);
      const message = (error as Error).message;
      if (code === null && (isDatabaseUnavailable(error) || /timeout/i.test(message))) {
        // The statement may have reached the database and committed: the connection is dropped, and its backend
        // is terminated before anyone asks the database what it holds.
        this.lostBackend = (client as unknown as { processID: number | null }).processID;
        client.release(error as Error);
        throw new CommitOutcomeUnknown(message);
      }
      client.release(code === null ? (error as Error) : undefined);
      if (code !== null && (REFUSED.test(code) || code === MISSING_ROWS))
        throw new CommitRefused(message, code);
      if (code === FENCED) throw new CommitFailed(message);
      if (code === DEPOSED) {
        this.fence.fenced();
        throw new CommitFailed(message);
      }
      if (code !== null && /^(08|57P)/.test(code)) throw new CommitOutcomeUnknown(message);
      throw new CommitFailed(message);
    }
  }

  /**
   * A connection of the writer's pool. A connection that breaks while checked out emits `error` besides failing
   * its query: that is expected here (the query's failure is handled), not a crash.
   */
  private async connect(): Promise<PoolClient> {
    const client = await this.pool.connect();
    if (client.listenerCount('error') === 0) client.on('error', () => {});
    return client;
  }

  async readPosition(): Promise<StorePosition> {
    if (this.lostBackend !== null) {
      await this.pool.query(
        `select pg_terminate_backend(pid, 5000) from pg_stat_activity where pid = $1 and pid <> pg_backend_pid()`,
        [this.lostBackend],
      );
      this.lostBackend = null;
    }
    const [row] = (
      await this.pool.query(
        `select (select batch from trading_writer where id = 1) as batch,
                (select last_seq from outbox order by first_seq desc limit 1) as seq`,
      )
    ).rows;
    return { batch: Number(row.batch), outboxSeq: Number(row.seq ?? 0) };
  }
}
