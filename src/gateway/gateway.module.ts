import { Module } from '@nestjs/common';
import { MarketDataModule } from '../market-data/market-data.module';
import { OrdersModule } from '../orders/orders.module';
import { ExchangeGateway } from './exchange.gateway';
import { PrivateFeed } from './private-feed';

@Module({
  imports: [OrdersModule, MarketDataModule],
  providers: [ExchangeGateway, PrivateFeed],
  exports: [PrivateFeed],
})
export class GatewayModule {}
