import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class ListOrdersDto {
  @ApiPropertyOptional({ enum: ['open', 'filled', 'cancelled', 'expired'] })
  @IsOptional()
  @IsIn(['open', 'filled', 'cancelled', 'expired'])
  status?: 'open' | 'filled' | 'cancelled' | 'expired';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  symbol?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class CancelAllDto {
  @ApiPropertyOptional({ description: 'only this market' })
  @IsOptional()
  @IsString()
  symbol?: string;
}
