import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { RequireScopes } from '../auth/auth.decorators';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

/** For operators: the webhook deliveries still waiting on sellers' clusters. */
@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/provisioning')
export class ProvisioningAdminController {
  constructor(@Inject(WebhookDeliveriesRepository) private readonly webhooks: WebhookDeliveriesRepository) {}

  /** Pending deliveries per cluster and type, oldest first (a deprovision waiting long is capacity not coming back). */
  @ApiOperation({ summary: 'Pending webhook deliveries per cluster (admin)' })
  @ApiAnswer(200, ['DeliveryBacklog'], 'the backlog, oldest first')
  @Get('backlog')
  async backlog() {
    return (await this.webhooks.backlog()).map((b) => ({ ...b, oldest: b.oldest.toISOString() }));
  }
}
