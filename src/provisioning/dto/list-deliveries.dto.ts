import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { LimitQueryDto } from '../../common/dto/limit-query.dto';
import type { DeliveryStatus } from '../webhook-deliveries.repository';

/** `GET /v1/clusters/:id/deliveries?status=&limit=` */
export class ListDeliveriesDto extends LimitQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'abandoned'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'abandoned'])
  status?: DeliveryStatus;
}
