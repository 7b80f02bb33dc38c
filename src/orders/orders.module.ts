import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ClustersModule } from '../clusters/clusters.module';
import { Clock, SystemClock } from '../common/clock';
import { MarketsModule } from '../markets/markets.module';
import { OrderWriter } from './order-writer';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

@Module({
  imports: [AccountsModule, MarketsModule, ClustersModule],
  controllers: [OrdersController],
  providers: [OrdersRepository, OrderWriter, OrdersService, { provide: Clock, useClass: SystemClock }],
  exports: [OrderWriter],
})
export class OrdersModule {}
