import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { OrdersModule } from '../orders/orders.module';
import { ClusterDeliveriesController } from './cluster-deliveries.controller';
import { ProvisioningAdminController } from './provisioning-admin.controller';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningService } from './provisioning.service';
import { SshKeyController } from './ssh-key.controller';
import { WebhookDispatcher } from './webhook-dispatcher';
import { HttpWebhookSender, WebhookSender } from './webhook-sender';

/** The provisioning hook: webhooks to sellers' clusters, their callbacks, and the leases they start or fail. */
@Module({
  imports: [OrdersModule, ClustersModule],
  controllers: [
    ProvisioningController,
    SshKeyController,
    ClusterDeliveriesController,
    ProvisioningAdminController,
  ],
  providers: [
    ProvisioningService,
    WebhookDispatcher,
    {
      provide: WebhookSender,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new HttpWebhookSender(config.provisioning.timeoutMs),
    },
  ],
})
export class ProvisioningModule {}
