import { Module } from '@nestjs/common';
import { AdminClustersController } from './admin-clusters.controller';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersService } from './clusters.service';
import { SecretBox } from './secret-box';
import { WebhookUrlPolicy } from './webhook-url-policy';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

@Module({
  controllers: [ClustersController, AdminClustersController],
  providers: [
    ClustersRepository,
    ClustersService,
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SecretBox(config.webhookSecretKeys),
    },
    {
      provide: WebhookUrlPolicy,
      inject: [APP_CONFIG],
      useFactory: ({ provisioning }: AppConfig) =>
        new WebhookUrlPolicy(provisioning.restrictTargets, provisioning.allowedHosts),
    },
  ],
  exports: [ClustersService, ClustersRepository, WebhookUrlPolicy],
})
export class ClustersModule {}
