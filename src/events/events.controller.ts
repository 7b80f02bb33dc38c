import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

function integer(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > max)
    throw new DomainError('INVALID_REQUEST', `${name} must be an integer from 0 to ${max}`);
  return value;
}

/** The settlement events as the outbox holds them, for operators (and for everyone when Kafka is not used). */
@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/events')
export class EventsController {
  constructor(
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  /** Events in outbox order after `afterSeq` (page with the last `seq` you got). */
  @Get()
  @ApiQuery({ name: 'afterSeq', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 100' })
  @ApiQuery({ name: 'type', required: false, description: 'only events of this type, e.g. trade.executed' })
  async list(
    @Query('afterSeq') afterSeq?: string,
    @Query('limit') limit?: string,
    @Query('type') type?: string,
  ) {
    const rows = await this.outbox.list(
      integer(afterSeq, 'afterSeq', 0, Number.MAX_SAFE_INTEGER),
      Math.max(1, integer(limit, 'limit', 100, 1000)),
      type ?? null,
    );
    return rows.map((r) => ({
      seq: r.seq,
      topic: r.topic,
      key: r.key,
      published: r.published,
      event: r.envelope,
    }));
  }

  /** How far publishing is behind: events waiting, the oldest one's age, and how many this process published. */
  @Get('lag')
  async lag() {
    const position = this.relay.position ?? (await this.outbox.publishedSeq());
    return { ...(await this.outbox.lag(position)), publishedSinceStart: this.relay.published };
  }
}
