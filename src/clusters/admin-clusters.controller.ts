import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { RequireScopes } from '../auth/auth.decorators';
import { ClustersService } from './clusters.service';
import { ListClustersDto } from './dto/list-clusters.dto';

/** For operators: every seller's clusters, `?status=degraded` for those that stopped answering. */
@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/clusters')
export class AdminClustersController {
  constructor(@Inject(ClustersService) private readonly clusters: ClustersService) {}

  @ApiOperation({ summary: 'List every cluster, or the degraded ones (admin)' })
  @ApiAnswer(200, ['Cluster'], 'the clusters')
  @Get()
  list(@Query() query: ListClustersDto) {
    return this.clusters.all(query.status);
  }
}
