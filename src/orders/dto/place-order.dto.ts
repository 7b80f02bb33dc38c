import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { SELF_TRADE_PREVENTION, TIME_IN_FORCE } from '../../engine/types';
import { PRICE_PATTERN } from '../../common/money';

/**
 * A new order as PROTOCOL.md defines it. Shapes are checked here; the market's rules (tick, lot, durations) by
 * the engine, so both paths (REST and, later, WebSocket) refuse the same things with the same codes.
 */
export class PlaceOrderDto {
  @ApiPropertyOptional({
    description: 'your id for this order; the same id from the same account returns it',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  clientOrderId?: string;

  @ApiProperty({ example: 'H100-SXM.us-east.firm' })
  @IsString()
  @Length(1, 100)
  symbol: string;

  @ApiProperty({ enum: ['buy', 'sell'] })
  @IsIn(['buy', 'sell'])
  side: 'buy' | 'sell';

  @ApiProperty({ enum: ['limit', 'market'] })
  @IsIn(['limit', 'market'])
  type: 'limit' | 'market';

  @ApiPropertyOptional({
    example: '2.15',
    pattern: PRICE_PATTERN,
    description: 'USD per GPU-hour (limit orders)',
  })
  @IsOptional()
  @IsString()
  price?: string;

  @ApiProperty({ type: 'integer', example: 8, description: 'GPUs, a multiple of the lot size' })
  @IsInt()
  quantity: number;

  @ApiPropertyOptional({ type: 'integer', example: 24, description: 'buys: hours the GPUs are needed' })
  @IsOptional()
  @IsInt()
  durationHours?: number;

  @ApiPropertyOptional({ description: 'sells: the cluster offering the GPUs' })
  @IsOptional()
  @IsString()
  clusterId?: string;

  @ApiPropertyOptional({ description: 'sells: until when the GPUs are free (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  availableUntil?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'buys: the smallest acceptable fill from one sell order',
  })
  @IsOptional()
  @IsInt()
  minQuantity?: number;

  @ApiPropertyOptional({ enum: TIME_IN_FORCE, default: 'GTC' })
  @IsOptional()
  @IsIn(TIME_IN_FORCE)
  timeInForce?: (typeof TIME_IN_FORCE)[number];

  @ApiPropertyOptional({ description: 'GTD: when the order expires (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expireAt?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  postOnly?: boolean;

  @ApiPropertyOptional({ enum: SELF_TRADE_PREVENTION, default: 'cancel_newest' })
  @IsOptional()
  @IsIn(SELF_TRADE_PREVENTION)
  selfTradePrevention?: (typeof SELF_TRADE_PREVENTION)[number];
}
