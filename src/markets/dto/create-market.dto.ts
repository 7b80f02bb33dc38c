import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const TICK = /^(0|[1-9]\d{0,8})(\.\d{1,6})?$/;

export class CreateMarketDto {
  @ApiProperty({ example: 'H100-SXM.ap-south.firm', description: '<gpu>.<region>.<leaseClass>' })
  @IsString()
  symbol: string;

  @ApiProperty({ example: 'H100-SXM', pattern: NAME.source })
  @IsString()
  @Matches(NAME)
  gpu: string;

  @ApiProperty({ example: 'ap-south', pattern: NAME.source })
  @IsString()
  @Matches(NAME)
  region: string;

  @ApiProperty({ enum: ['firm', 'int'] })
  @IsIn(['firm', 'int'])
  leaseClass: 'firm' | 'int';

  @ApiProperty({
    example: '0.01',
    pattern: TICK.source,
    description: 'USD per GPU-hour, a multiple of 0.000001',
  })
  @IsString()
  @Matches(TICK, {
    message: 'tickSize must be a decimal string with at most 6 decimals',
  })
  tickSize: string;

  @ApiProperty({ type: 'integer', example: 8 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  lotSize: number;

  @ApiProperty({ type: 'integer', example: 1 })
  @IsInt()
  @Min(1)
  @Max(87_600)
  minDurationHours: number;

  @ApiProperty({ type: 'integer', example: 720 })
  @IsInt()
  @Min(1)
  @Max(87_600)
  maxDurationHours: number;

  @ApiProperty({ type: 'integer', example: 50 })
  @IsInt()
  @Min(0)
  @Max(10_000)
  feeBps: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 10,
    description: 'Minutes from trade to active the market promises (default 10)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_080)
  activationMinutes?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 1000,
    description:
      'SLA credit: basis points of the undelivered notional the seller pays the buyer (default 1000)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  creditBps?: number;

  @ApiPropertyOptional({
    example: false,
    description: 'Leases go active only on passed acceptance checks (default false)',
  })
  @IsOptional()
  @IsBoolean()
  requireChecks?: boolean;
}
