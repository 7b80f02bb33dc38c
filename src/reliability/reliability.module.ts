import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { MarketsModule } from '../markets/markets.module';
import { ReliabilityController } from './reliability.controller';
import { ReliabilityRepository } from './reliability.repository';
import { ReliabilityService } from './reliability.service';

/** Sellers' public delivery records, from their leases. */
@Module({
  imports: [ClustersModule, MarketsModule],
  controllers: [ReliabilityController],
  providers: [ReliabilityRepository, ReliabilityService],
})
export class ReliabilityModule {}
