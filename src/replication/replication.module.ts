import { Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module';
import { MarketDataModule } from '../market-data/market-data.module';
import { InternalController } from './internal.controller';
import { Replica } from './replica';
import { ReplicationSource } from './replication-source';

/** The leader's committed stream (ReplicationSource) and a follower's copy of it (Replica). */
@Module({
  imports: [MarketDataModule, GatewayModule],
  controllers: [InternalController],
  providers: [ReplicationSource, Replica],
})
export class ReplicationModule {}
