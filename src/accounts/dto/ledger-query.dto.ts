import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumberString, IsOptional } from 'class-validator';
import { LimitQueryDto } from '../../common/dto/limit-query.dto';

export class LedgerQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ description: 'entry id to page back from' })
  @IsOptional()
  @IsNumberString({ no_symbols: true })
  before?: string;
}
