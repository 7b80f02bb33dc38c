import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiRefusals } from '../common/api-responses';
import { accountOf } from '../accounts/accounts.controller';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { ClustersService } from './clusters.service';
import { CreateClusterDto } from './dto/create-cluster.dto';

@ApiTags('clusters')
@ApiBearerAuth()
@Controller('v1/clusters')
export class ClustersController {
  constructor(@Inject(ClustersService) private readonly clusters: ClustersService) {}

  @ApiOperation({ summary: 'Register a cluster (its webhook secret is shown once)' })
  @ApiAnswer(201, 'CreatedCluster', 'the cluster, its webhook secret shown once')
  @ApiRefusals(409)
  @Post()
  @RequireScopes('sell')
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateClusterDto) {
    return this.clusters.create(accountOf(principal), body);
  }

  @ApiOperation({ summary: 'List your clusters' })
  @ApiAnswer(200, ['Cluster'], 'your clusters')
  @Get()
  @RequireScopes('sell', 'read')
  list(@CurrentPrincipal() principal: Principal) {
    return this.clusters.list(accountOf(principal));
  }

  /** The owner says its degraded cluster works again: it takes new sell orders (until it fails again). */
  @ApiOperation({ summary: 'Take new sell orders on your degraded cluster again' })
  @ApiAnswer(200, 'Cluster', 'the cluster')
  @Post(':id/restore')
  @HttpCode(200)
  @RequireScopes('sell')
  restore(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.clusters.restore(accountOf(principal), id);
  }
}
