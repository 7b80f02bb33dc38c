import { Module } from '@nestjs/common';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersService } from './clusters.service';
import { SecretBox } from './secret-box';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

@Module({
  controllers: [ClustersController],
  providers: [
    ClustersRepository,
    ClustersService,
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SecretBox(config.webhookSecretKeys),
    },
  ],
  exports: [ClustersService, ClustersRepository],
})
export class ClustersModule {}
