import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export class CreateMarketDto {
  @ApiProperty({ example: 'H100-SXM.ap-south.firm', description: '<gpu>.<region>.<leaseClass>' })
  @IsString()
  symbol: string;

  @ApiProperty({ example: 'H100-SXM' })
  @IsString()
  @Matches(NAME)
  gpu: string;

  @ApiProperty({ example: 'ap-south' })
  @IsString()
  @Matches(NAME)
  region: string;

  @ApiProperty({ enum: ['firm', 'int'] })
  @IsIn(['firm', 'int'])
  leaseClass: 'firm' | 'int';

  @ApiProperty({ example: '0.01', description: 'USD per GPU-hour, a multiple of 0.000001' })
  @IsString()
  @Matches(/^(0|[1-9]\d{0,8})(\.\d{1,6})?$/, {
    message: 'tickSize must be a decimal string with at most 6 decimals',
  })
  tickSize: string;

  @ApiProperty({ example: 8 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  lotSize: number;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(87_600)
  minDurationHours: number;

  @ApiProperty({ example: 720 })
  @IsInt()
  @Min(1)
  @Max(87_600)
  maxDurationHours: number;

  @ApiProperty({ example: 50 })
  @IsInt()
  @Min(0)
  @Max(10_000)
  feeBps: number;

  @ApiPropertyOptional({
    example: 10,
    description: 'Minutes from trade to active the market promises (default 10)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_080)
  activationMinutes?: number;

  @ApiPropertyOptional({
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
