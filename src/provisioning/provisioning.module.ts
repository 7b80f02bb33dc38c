import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { WebhookUrlPolicy } from '../clusters/webhook-url-policy';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ClusterDeliveriesController } from './cluster-deliveries.controller';
import { ProvisioningAdminController } from './provisioning-admin.controller';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningService } from './provisioning.service';
import { SshKeyController } from './ssh-key.controller';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDispatcher } from './webhook-dispatcher';
import { HttpWebhookSender, WebhookSender } from './webhook-sender';

/** The provisioning hook: webhooks to sellers' clusters, their callbacks, and the leases they start or fail. */
@Module({
  imports: [ClustersModule],
  controllers: [
    ProvisioningController,
    SshKeyController,
    ClusterDeliveriesController,
    ProvisioningAdminController,
  ],
  providers: [
    ProvisioningService,
    WebhookDeliveriesRepository,
    WebhookDispatcher,
    {
      provide: WebhookSender,
      inject: [APP_CONFIG, WebhookUrlPolicy],
      useFactory: (config: AppConfig, policy: WebhookUrlPolicy) =>
        new HttpWebhookSender(config.provisioning.timeoutMs, policy),
    },
  ],
  exports: [WebhookDeliveriesRepository],
})
export class ProvisioningModule {}
