import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ref } from '../common/api-responses';
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
  @ApiOperation({ summary: 'Is the process alive' })
  @ApiAnswer(200, 'Health', 'the process is alive')
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /**
   * Ready to serve (PROTOCOL.md, Operators): the database answers, and this node leads with its state loaded,
   * or follows the leader with a current copy of its committed stream (`lagMs`: since the stream last spoke).
   * Otherwise 503: `starting` (taking over as leader) or `catching up` (a follower not current yet).
   */
  @ApiOperation({ summary: 'Is this node ready to serve (database, event bus, role, lag)' })
  @ApiAnswer(200, 'Ready', 'ready to serve')
  @ApiAnswer(
    503,
    { oneOf: [ref('Ready'), ref('Error503')] },
    'starting, catching up, or the database is unreachable',
  )
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    let holder;
    try {
      holder = await this.election.holder();
    } catch {
      throw new DomainError('UNAVAILABLE', 'the database is unreachable');
    }
    const eventBus = this.config.kafka.brokers.length > 0 ? 'kafka' : 'in-process';
    if (this.election.isLeader) {
      if (!this.election.writing) res.status(503); // taking over: loading the state
      return {
        status: this.election.writing ? 'ready' : 'starting',
        role: 'leader',
        epoch: this.election.epoch,
        lagMs: 0,
        database: 'up',
        eventBus,
      };
    }
    const { current, lagMs } = this.election.replica;
    if (!current) res.status(503);
    return {
      status: current ? 'ready' : 'catching up',
      role: 'follower',
      epoch: holder.epoch,
      lagMs,
      leader: holder.expired ? null : holder.address,
      database: 'up',
      eventBus,
    };
  }
}
