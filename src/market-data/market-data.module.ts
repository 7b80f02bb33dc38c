import { Module } from '@nestjs/common';
import { MarketDataController } from './market-data.controller';
import { MarketDataRepository } from './market-data.repository';
import { MarketDataService } from './market-data.service';
import { MarketFeed } from './market-feed';

@Module({
  controllers: [MarketDataController],
  providers: [MarketDataService, MarketDataRepository, MarketFeed],
  exports: [MarketFeed, MarketDataService],
})
export class MarketDataModule {}
