import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import { SCOPES, Scope } from '../../auth/api-keys';
import { MAX_ALLOWED_IPS } from '../../common/ip-allowlist';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'market-data bot' })
  @IsString()
  @Length(1, 100)
  label: string;

  @ApiProperty({
    enum: SCOPES,
    isArray: true,
    example: ['read'],
    description: "a subset of the account's scopes, and of the scopes of the key that creates it",
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({
    example: '2027-06-30T00:00:00Z',
    description: 'when the key stops working; in the future',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({
    example: ['203.0.113.7', '10.0.0.0/8'],
    description: `addresses or CIDR ranges the key may be used from (at most ${MAX_ALLOWED_IPS}); absent = any`,
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_ALLOWED_IPS)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  allowedIps?: string[];
}
