import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export class InventoryNodeDto {
  @ApiProperty({ example: 'gpu-1' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  name: string;

  @ApiProperty({ type: 'integer', example: 8, description: 'GPUs the node has (its gres)' })
  @IsInt()
  @Min(0)
  @Max(1024)
  gpus: number;

  @ApiPropertyOptional({ type: 'integer', example: 0, description: 'GPUs running jobs hold' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1024)
  gpusUsed?: number;

  @ApiProperty({ example: 'IDLE', description: "The scheduler's state, as it says it" })
  @IsString()
  @MaxLength(100)
  @Matches(/^[A-Za-z0-9_+*-]*$/)
  state: string;

  @ApiProperty({ description: 'Up, and neither draining nor failing' })
  @IsBoolean()
  usable: boolean;
}

/**
 * `POST /v1/provisioning/inventory`: a cluster agent's report of what its scheduler shows, signed with the
 * cluster's webhook secret. `offerable` bounds the GPUs the seller can have offered plus leased on it.
 */
export class InventoryReportDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clusterId: string;

  @ApiProperty({ type: 'integer', example: 16, description: 'GPUs on all nodes' })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  gpus: number;

  @ApiProperty({
    type: 'integer',
    example: 16,
    description:
      "GPUs on usable nodes not reserved by others nor held by others' jobs (the exchange's leases count)",
  })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  offerable: number;

  @ApiProperty({ type: [InventoryNodeDto] })
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => InventoryNodeDto)
  nodes: InventoryNodeDto[];

  @ApiPropertyOptional({
    description:
      "A check of the cluster's idle nodes (`{passed, gpus, ...figures}`): one that passes ends a degradation " +
      'by failed checks; one that fails starts one',
    example: { passed: true, gpus: 16, nodes: 2 },
  })
  @IsOptional()
  @IsObject()
  checks?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    description: "Mismatches the agent found between its leases and the scheduler's",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  drift?: number;
}
