import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminMarketsController, MarketsController } from './markets.controller';
import { MarketsService } from './markets.service';
import { MarketEntity } from './persistence/market.entity';

@Module({
  imports: [TypeOrmModule.forFeature([MarketEntity])],
  controllers: [MarketsController, AdminMarketsController],
  providers: [MarketsService],
  exports: [MarketsService],
})
export class MarketsModule {}
