import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { ListDeliveriesDto } from './dto/list-deliveries.dto';
import { ProvisioningService } from './provisioning.service';

/** What the exchange sent one of the seller's clusters, and how it went (`?status=pending`: what is stuck). */
@ApiTags('clusters')
@ApiBearerAuth()
@RequireScopes('sell')
@Controller('v1/clusters/:id/deliveries')
export class ClusterDeliveriesController {
  constructor(@Inject(ProvisioningService) private readonly provisioning: ProvisioningService) {}

  @ApiOperation({ summary: "Your cluster's webhook deliveries" })
  @ApiAnswer(200, ['Delivery'], 'the deliveries, newest first')
  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: ListDeliveriesDto) {
    return this.provisioning.deliveries(principal, id, query.status ?? null, query.limit ?? 100);
  }
}
