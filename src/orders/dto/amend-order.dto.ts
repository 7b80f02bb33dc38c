import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString } from 'class-validator';

/** Reducing quantity keeps time priority; a new price or a larger quantity loses it. */
export class AmendOrderDto {
  @ApiPropertyOptional({ example: 8, description: 'the new total quantity, filled part included' })
  @IsOptional()
  @IsInt()
  quantity?: number;

  @ApiPropertyOptional({ example: '2.10' })
  @IsOptional()
  @IsString()
  price?: string;
}
