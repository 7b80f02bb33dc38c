import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG } from '../config/config.module';
import { LeaderElection } from '../leadership/leader-election';
import type { AppConfig } from '../config/app-config';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(LeaderElection) private readonly election: LeaderElection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is alive. */
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /**
   * Ready to serve: the database answers and this node leads (PROTOCOL.md, Operators). A follower answers 503
   * with its role and the leader's epoch and address: it is a standby, which serves no clients yet.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    let holder;
    try {
      holder = await this.election.holder();
    } catch {
      throw new DomainError('UNAVAILABLE', 'the database is unreachable');
    }
    const eventBus = this.config.kafka.brokers.length > 0 ? 'kafka' : 'in-process';
    if (this.election.serving) {
      return { status: 'ready', role: 'leader', epoch: this.election.epoch, database: 'up', eventBus };
    }
    if (this.election.isLeader) {
      res.status(503); // taking over: loading the state
      return { status: 'starting', role: 'leader', epoch: this.election.epoch, database: 'up', eventBus };
    }
    res.status(503);
    return {
      status: 'standby',
      role: 'follower',
      epoch: holder.epoch,
      leader: holder.expired ? null : holder.address,
      database: 'up',
      eventBus,
    };
  }
}
