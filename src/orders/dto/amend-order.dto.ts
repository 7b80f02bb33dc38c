import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { PRICE_PATTERN } from '../../common/money';

/** Reducing quantity keeps time priority; a new price or a larger quantity loses it. */
export class AmendOrderDto {
  @ApiPropertyOptional({
    type: 'integer',
    example: 8,
    description: 'the new total quantity, filled part included',
  })
  @IsOptional()
  @IsInt()
  quantity?: number;

  @ApiPropertyOptional({ example: '2.10', pattern: PRICE_PATTERN, description: 'USD per GPU-hour' })
  @IsOptional()
  @IsString()
  price?: string;
}
