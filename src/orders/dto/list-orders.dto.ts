import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { LimitQueryDto } from '../../common/dto/limit-query.dto';

export class ListOrdersDto extends LimitQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'filled', 'cancelled', 'expired'] })
  @IsOptional()
  @IsIn(['open', 'filled', 'cancelled', 'expired'])
  status?: 'open' | 'filled' | 'cancelled' | 'expired';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  symbol?: string;
}

export class CancelAllDto {
  @ApiPropertyOptional({ description: 'only this market' })
  @IsOptional()
  @IsString()
  symbol?: string;
}
