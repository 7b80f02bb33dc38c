import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { LeasesController } from './leases.controller';
import { LeasesService } from './leases.service';

@Module({
  imports: [OrdersModule],
  controllers: [LeasesController],
  providers: [LeasesService],
})
export class LeasesModule {}
