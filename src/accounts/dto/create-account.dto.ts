import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';
import { SCOPES, Scope } from '../../auth/api-keys';

export class CreateAccountDto {
  @ApiProperty({ example: 'Acme AI' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['trade', 'read'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];
}
