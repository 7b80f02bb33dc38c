import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LimitQueryDto } from '../../common/dto/limit-query.dto';
import { CANDLE_SECONDS, CandleInterval } from '../market-data.repository';

export class BookQueryDto {
  @ApiPropertyOptional({ type: 'integer', default: 50, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  depth?: number;
}

export class CandlesQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ enum: Object.keys(CANDLE_SECONDS), default: '1h' })
  @IsOptional()
  @IsIn(Object.keys(CANDLE_SECONDS))
  interval?: CandleInterval;
}
