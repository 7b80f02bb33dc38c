import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LeaderElection } from '../leadership/leader-election';
import { Metrics } from '../metrics/metrics';
import { PgTradingStore } from './persistence/pg-trading-store';
import { TradingStore } from './trading-store';
import { TradingWriter } from './trading-writer';
import { CommandBus } from './command-bus';
import { CommandForwarder } from './command-forwarder';
import { NODE_SECRET } from '../leadership/leadership.module';

/** At most this many commands share one batch statement. */
const MAX_BATCH = 500;
/** Time passes even when nobody trades: GTD orders, sell windows, leases and deadlines expire on the tick. */
const TICK_MS = 1000;

/** The writer's own connections (PostgreSQL), or the embedded database's one shared connection. */
const WRITER_POOL = Symbol('WRITER_POOL');

/** Loads the writer at start (before the server listens), ticks it every second, and closes its pool at the end. */
@Injectable()
class WriterLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    @Inject(TradingWriter) private readonly writer: TradingWriter,
    @Inject(WRITER_POOL) private readonly pool: { own: boolean; pool: Pool },
    @Inject(Metrics) metrics: Metrics,
    @Inject(LeaderElection) private readonly election: LeaderElection,
    @Inject(CommandForwarder) private readonly forwarder: CommandForwarder,
  ) {
    metrics.gauge(
      'exchange_writer_queue_depth',
      'Commands waiting for the single writer',
      () => writer.queued,
    );
  }

  /** The leader loads the state (before the server listens, when it leads at boot) and ticks; a follower waits. */
  async onApplicationBootstrap(): Promise<void> {
    await this.election.lead(async () => {
      await this.writer.start();
      this.ticker = setInterval(() => {
        if (this.writer.queued === 0) this.writer.submit({ kind: 'tick' }).catch(() => {});
      }, TICK_MS);
      this.ticker.unref();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.forwarder.close();
    if (this.pool.own) await this.pool.pool.end().catch(() => {});
  }
}

/** The single writer and its store: every module that changes trading state submits commands to it. */
@Global()
@Module({
  providers: [
    {
      provide: WRITER_POOL,
      inject: [APP_CONFIG, getDataSourceToken()],
      useFactory: (config: AppConfig, dataSource: DataSource) => {
        // PGlite serves one connection: the writer shares it (see EmbeddedPostgres).
        if (config.database.url === null)
          return { own: false, pool: (dataSource.driver as unknown as { master: Pool }).master };
        const pool = new Pool({
          connectionString: config.database.url,
          max: 2,
          statement_timeout: config.writer.statementTimeoutMs,
          connectionTimeoutMillis: 5000,
          keepAlive: true,
        });
        // An idle connection that breaks is dropped by the pool; the next commit opens another.
        const logger = new Logger('WriterPool');
        pool.on('error', (error) => logger.warn(`a writer connection broke: ${error.message}`));
        return { own: true, pool };
      },
    },
    {
      provide: TradingStore,
      inject: [WRITER_POOL, APP_CONFIG, LeaderElection],
      useFactory: ({ pool }: { pool: Pool }, config: AppConfig, election: LeaderElection) =>
        new PgTradingStore(pool, config.writer.statementTimeoutMs + 2000, election),
    },
    {
      provide: TradingWriter,
      inject: [TradingStore, Clock, APP_CONFIG, Metrics],
      useFactory: (store: TradingStore, clock: Clock, config: AppConfig, metrics: Metrics) =>
        new TradingWriter(
          store,
          clock,
          config.provisioning.mode === 'instant'
            ? { mode: 'instant' }
            : {
                mode: 'webhook',
                deadlineMs: config.provisioning.deadlineSeconds * 1000,
                requireChecks: config.provisioning.requireChecks,
              },
          { maxBatch: MAX_BATCH, maxQueue: config.writer.queueLimit, verifyForMs: 3000 },
          new Logger(TradingWriter.name),
          {
            batchCommitted: (commands, seconds) => {
              metrics.batchSize.observe(commands);
              metrics.batchCommitSeconds.observe(seconds);
            },
          },
        ),
    },
    {
      provide: CommandForwarder,
      inject: [LeaderElection, NODE_SECRET, APP_CONFIG],
      useFactory: (election: LeaderElection, secret: string, config: AppConfig) =>
        new CommandForwarder(
          () => {
            const leader = election.leader;
            return leader ? { url: leader.address, secret } : null;
          },
          config.writer.statementTimeoutMs * 3 + 5000,
        ),
    },
    {
      provide: CommandBus,
      inject: [TradingWriter, LeaderElection, CommandForwarder],
      useFactory: (writer: TradingWriter, election: LeaderElection, forwarder: CommandForwarder) =>
        new CommandBus(writer, election, forwarder),
    },
    WriterLifecycle,
  ],
  exports: [TradingWriter, CommandBus],
})
export class WriterModule {}
