import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ClustersModule } from '../clusters/clusters.module';
import { MarketsModule } from '../markets/markets.module';
import { LeasesRepository } from '../leases/leases.repository';
import { OutboxRepository } from '../events/outbox.repository';
import { WebhookDeliveriesRepository } from '../provisioning/webhook-deliveries.repository';
import { DepositsController } from './deposits.controller';
import { OrderWriter } from './order-writer';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

@Module({
  imports: [AccountsModule, MarketsModule, ClustersModule],
  controllers: [OrdersController, DepositsController],
  providers: [
    OrdersRepository,
    LeasesRepository,
    OutboxRepository,
    WebhookDeliveriesRepository,
    OrderWriter,
    OrdersService,
  ],
  exports: [OrderWriter, LeasesRepository, OutboxRepository, WebhookDeliveriesRepository, OrdersService],
})
export class OrdersModule {}
