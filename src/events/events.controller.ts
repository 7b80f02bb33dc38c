import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { RequireScopes } from '../auth/auth.decorators';
import { ListEventsDto } from './list-events.dto';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

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
  @ApiOperation({ summary: 'The settlement events in the outbox (admin)' })
  @ApiAnswer(200, ['OutboxEvent'], 'events in outbox order')
  @Get()
  async list(@Query() query: ListEventsDto) {
    const rows = await this.outbox.list(query.afterSeq ?? 0, query.limit ?? 100, query.type ?? null);
    return rows.map((r) => ({
      seq: r.seq,
      topic: r.topic,
      key: r.key,
      published: r.published,
      event: r.envelope,
    }));
  }

  /** How far publishing is behind: events waiting, the oldest one's age, and how many this process published. */
  @ApiOperation({ summary: 'How far the outbox relay is behind (admin)' })
  @ApiAnswer(200, 'OutboxLag', 'the lag')
  @Get('lag')
  async lag() {
    const position = this.relay.position ?? (await this.outbox.publishedSeq());
    return { ...(await this.outbox.lag(position)), publishedSinceStart: this.relay.published };
  }
}
