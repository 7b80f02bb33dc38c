import { Body, Controller, Headers, HttpCode, Inject, Post, RawBodyRequest, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiRefusals } from '../common/api-responses';
import type { Request } from 'express';
import { Public } from '../auth/auth.decorators';
import { InventoryReportDto } from './dto/inventory-report.dto';
import { ProvisioningCallbackDto } from './dto/provisioning-callback.dto';
import { ProvisioningService } from './provisioning.service';

/** Clusters call back here; they sign the request (Standard Webhooks) instead of sending an API key. */
@ApiTags('provisioning')
@Controller('v1/provisioning')
export class ProvisioningController {
  constructor(@Inject(ProvisioningService) private readonly provisioning: ProvisioningService) {}

  @ApiOperation({ summary: 'A cluster reports on a lease (signed)' })
  @ApiAnswer(200, 'CallbackAnswer', 'the lease as it is now')
  @ApiRefusals(401, 404, 409)
  @Post('callback')
  @HttpCode(200)
  @Public()
  callback(
    @Req() request: RawBodyRequest<Request>,
    @Headers() headers: Record<string, unknown>,
    @Body() body: ProvisioningCallbackDto,
  ) {
    return this.provisioning.callback(request.rawBody, headers, body);
  }

  /** A cluster agent reports what its scheduler shows; it bounds what the seller can offer on the cluster. */
  @ApiOperation({ summary: 'A cluster agent reports its inventory (signed)' })
  @ApiAnswer(200, 'InventoryAnswer', 'the cluster as it is now')
  @ApiRefusals(401)
  @Post('inventory')
  @HttpCode(200)
  @Public()
  inventory(
    @Req() request: RawBodyRequest<Request>,
    @Headers() headers: Record<string, unknown>,
    @Body() body: InventoryReportDto,
  ) {
    return this.provisioning.inventory(request.rawBody, headers, body);
  }
}
