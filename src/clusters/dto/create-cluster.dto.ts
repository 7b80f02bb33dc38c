import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, IsUrl, Length, Matches, Max, Min } from 'class-validator';

export class CreateClusterDto {
  @ApiProperty({ example: 'iad-rack-12' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'H100-SXM' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/)
  gpu: string;

  @ApiProperty({ example: 'us-east' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/)
  region: string;

  @ApiProperty({ type: 'integer', example: 64 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  gpuCount: number;

  @ApiProperty({ example: 'https://cluster.example.com/exchange-hook' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  webhookUrl: string;
}
