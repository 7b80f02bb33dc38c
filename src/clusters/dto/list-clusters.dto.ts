import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Cluster } from '../clusters.repository';

/** `GET /v1/admin/clusters?status=degraded` */
export class ListClustersDto {
  @ApiPropertyOptional({ enum: ['active', 'degraded'] })
  @IsOptional()
  @IsIn(['active', 'degraded'])
  status?: Cluster['status'];
}
