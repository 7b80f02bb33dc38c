import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

@Module({
  controllers: [EventsController],
  providers: [OutboxRelay, OutboxRepository],
  exports: [OutboxRelay],
})
export class EventsModule {}
