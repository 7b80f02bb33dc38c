import { Module } from '@nestjs/common';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { LeaseMetrics } from './lease-metrics';
import { LeasesController } from './leases.controller';
import { LeasesRepository } from './leases.repository';
import { LeasesService } from './leases.service';

@Module({
  imports: [ProvisioningModule],
  controllers: [LeasesController],
  providers: [LeasesRepository, LeasesService, LeaseMetrics],
  exports: [LeasesRepository],
})
export class LeasesModule {}
