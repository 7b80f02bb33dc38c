import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { MarketDataController } from './market-data.controller';
import { MarketDataRepository } from './market-data.repository';
import { MarketDataService } from './market-data.service';
import { MarketFeed } from './market-feed';

@Module({
  imports: [OrdersModule],
  controllers: [MarketDataController],
  providers: [MarketDataService, MarketDataRepository, MarketFeed],
  exports: [MarketFeed, MarketDataService],
})
export class MarketDataModule {}
