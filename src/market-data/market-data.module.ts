import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { MarketDataController } from './market-data.controller';
import { MarketDataRepository } from './market-data.repository';
import { MarketDataService } from './market-data.service';

@Module({
  imports: [OrdersModule],
  controllers: [MarketDataController],
  providers: [MarketDataService, MarketDataRepository],
})
export class MarketDataModule {}
