import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { LeaderElection } from '../leadership/leader-election';
import { NODE_SECRET } from '../leadership/leadership.module';
import type { TradingCommand } from '../trading/commands';
import { TradingWriter } from '../writer/trading-writer';
import type { ForwardedOutcome } from '../writer/command-forwarder';
import { NODE_SECRET_HEADER, fromNode } from '../leadership/node-secret';
import { ReplicationSource } from './replication-source';
import type { SnapshotMessage } from './stream-messages';

/**
 * The leader's routes for the other nodes of the exchange (not part of the public contract): the commands
 * followers forward, and the committed stream they serve their clients from. A node proves it belongs with the
 * secret the nodes share (see readNodeSecret); only the leader answers.
 */
@ApiExcludeController()
@Public()
@SkipThrottle({ ip: true, key: true })
@Controller('internal/v1')
export class InternalController {
  constructor(
    @Inject(TradingWriter) private readonly writer: TradingWriter,
    @Inject(ReplicationSource) private readonly source: ReplicationSource,
    @Inject(LeaderElection) private readonly election: LeaderElection,
    @Inject(NODE_SECRET) private readonly secret: string,
  ) {}

  /** Runs each forwarded command on the writer; answers once all are committed, each with its own outcome. */
  @Post('commands')
  @HttpCode(200)
  async commands(
    @Headers(NODE_SECRET_HEADER) secret: unknown,
    @Body() body: { commands?: unknown },
  ): Promise<{ outcomes: ForwardedOutcome[] }> {
    this.checkLeader(secret);
    if (!Array.isArray(body.commands)) throw new DomainError('INVALID_REQUEST', 'commands is an array');
    const commands = body.commands as TradingCommand[];
    const outcomes = await Promise.all(
      commands.map((command) =>
        this.writer.submit(command).then(
          (value): ForwardedOutcome => ({ ok: true, value }),
          (error: unknown): ForwardedOutcome =>
            error instanceof DomainError
              ? { ok: false, code: error.code, message: error.message }
              : { ok: false, code: 'INTERNAL_ERROR', message: 'internal error' },
        ),
      ),
    );
    return { outcomes };
  }

  /** Every book as committed, for a follower that reads the stream from Kafka. */
  @Get('snapshot')
  snapshot(@Headers(NODE_SECRET_HEADER) secret: unknown): SnapshotMessage {
    this.checkLeader(secret);
    return this.source.snapshot();
  }

  /** The committed stream, one JSON object a line, until either side goes. */
  @Get('stream')
  stream(@Headers(NODE_SECRET_HEADER) secret: unknown, @Res() response: Response): void {
    this.checkLeader(secret);
    this.source.follow(response);
  }

  private checkLeader(secret: unknown): void {
    if (!fromNode(secret, this.secret)) throw new DomainError('UNAUTHORIZED', 'not a node of this exchange');
    if (!this.election.writing) throw new DomainError('UNAVAILABLE', 'this node is not the leader');
  }
}
