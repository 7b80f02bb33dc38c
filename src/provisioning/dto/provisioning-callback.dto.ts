import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** `POST /v1/provisioning/callback`: a cluster reports on a lease it answered `202` (or `verifying`) for. */
export class ProvisioningCallbackDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  leaseId: string;

  @ApiProperty({
    enum: ['verifying', 'active', 'failed', 'lost'],
    description:
      '`verifying`: set up, acceptance checks running; `active`: handed over; `failed`: not delivered (or checks ' +
      'failed); `lost`: an active lease lost its GPUs (nodes drained or down): it ends, and the buyer is credited',
  })
  @IsIn(['verifying', 'active', 'failed', 'lost'])
  status: 'verifying' | 'active' | 'failed' | 'lost';

  @ApiPropertyOptional({ description: 'What the buyer needs to use the GPUs (shown to the buyer only)' })
  @IsOptional()
  @IsObject()
  access?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'The acceptance report: `passed` (boolean), `gpus` (GPUs found), and the figures measured. A lease with a ' +
      'report goes active only when it passed and found the GPUs the lease bought.',
    example: { passed: true, gpus: 8, nodes: 1, nodesUp: 1 },
  })
  @IsOptional()
  @IsObject()
  checks?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Why provisioning failed, or what was lost' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
