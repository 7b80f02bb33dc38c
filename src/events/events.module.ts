import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { EventsController } from './events.controller';
import { OutboxRelay } from './outbox-relay';

@Module({
  imports: [OrdersModule],
  controllers: [EventsController],
  providers: [OutboxRelay],
  exports: [OutboxRelay],
})
export class EventsModule {}
