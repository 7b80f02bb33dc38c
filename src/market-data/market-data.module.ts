import { Module } from '@nestjs/common';
import { MarketsModule } from '../markets/markets.module';
import { OrdersModule } from '../orders/orders.module';
import { MarketDataController } from './market-data.controller';
import { MarketDataRepository } from './market-data.repository';
import { MarketDataService } from './market-data.service';
import { MarketFeed } from './market-feed';

@Module({
  imports: [OrdersModule, MarketsModule],
  controllers: [MarketDataController],
  providers: [MarketDataService, MarketDataRepository, MarketFeed],
  exports: [MarketFeed, MarketDataService],
})
export class MarketDataModule {}
