import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { MONEY_PATTERN } from '../../common/money';

export class DepositDto {
  @ApiProperty({
    example: '1000.00',
    pattern: MONEY_PATTERN.source,
    description: 'USD, a decimal string greater than zero',
  })
  @IsString()
  @Matches(MONEY_PATTERN, { message: 'amount must be a decimal string such as "1000.00"' })
  amount: string;
}
