import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min } from 'class-validator';
import { LimitQueryDto } from '../common/dto/limit-query.dto';

/** `GET /v1/admin/events`: after which event (`seq`), how many, and optionally of which type. */
export class ListEventsDto extends LimitQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    default: 0,
    description: 'the last seq you have; events after it are returned',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterSeq?: number;

  @ApiPropertyOptional({ example: 'trade.executed' })
  @IsOptional()
  @IsString()
  type?: string;
}
