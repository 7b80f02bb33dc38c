import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** `POST /v1/provisioning/callback`: a cluster reports on a lease it answered `202` for. */
export class ProvisioningCallbackDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  leaseId: string;

  @ApiProperty({ enum: ['active', 'failed'] })
  @IsIn(['active', 'failed'])
  status: 'active' | 'failed';

  @ApiPropertyOptional({ description: 'What the buyer needs to use the GPUs (shown to the buyer only)' })
  @IsOptional()
  @IsObject()
  access?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Why provisioning failed' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
