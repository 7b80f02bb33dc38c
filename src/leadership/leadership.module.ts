import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  BeforeApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Metrics } from '../metrics/metrics';
import { LeaderElection } from './leader-election';
import { PgLeaseStore } from './pg-lease-store';
import { readNodeSecret } from './node-secret';

/** The secret the nodes share (a string): see readNodeSecret. */
export const NODE_SECRET = Symbol('NODE_SECRET');

/** Exit status of a node that stepped down: its supervisor starts it again, as a follower. */
export const DEPOSED_EXIT_CODE = 3;

/** Campaigns before the other modules start (so a node that leads at boot starts as leader); lets go on shutdown. */
@Injectable()
class ElectionLifecycle implements OnModuleInit, BeforeApplicationShutdown {
  constructor(@Inject(LeaderElection) private readonly election: LeaderElection) {}

  onModuleInit(): Promise<void> {
    return this.election.start();
  }

  /** Before the database connections close: the lease is let go, so a follower takes over at once. */
  beforeApplicationShutdown(): Promise<void> {
    return this.election.stop();
  }
}

/** Which node of a cluster is the single writer (see LeaderElection); the embedded database is one node. */
@Global()
@Module({
  providers: [
    {
      provide: LeaderElection,
      inject: [getDataSourceToken(), APP_CONFIG, Metrics],
      useFactory: (db: DataSource, config: AppConfig, metrics: Metrics) => {
        const logger = new Logger('Leadership');
        const election = new LeaderElection(
          new PgLeaseStore(db),
          { ...config.leadership, steal: config.database.url === null },
          () => {
            logger.error(`exiting with status ${DEPOSED_EXIT_CODE}, to start again as a follower`);
            process.exit(DEPOSED_EXIT_CODE);
          },
        );
        metrics.labelledGauge(
          'exchange_node_role',
          'This node’s role: 1 for the role it has',
          'role',
          () =>
            new Map([
              ['leader', election.isLeader ? 1 : 0],
              ['follower', election.isLeader ? 0 : 1],
            ]),
        );
        metrics.gauge(
          'exchange_leader_epoch',
          'The epoch this node leads at (0 on a follower)',
          () => election.epoch,
        );
        return election;
      },
    },
    {
      provide: NODE_SECRET,
      inject: [getDataSourceToken()],
      useFactory: (db: DataSource) => readNodeSecret(db),
    },
    ElectionLifecycle,
  ],
  exports: [LeaderElection, NODE_SECRET],
})
export class LeadershipModule {}
