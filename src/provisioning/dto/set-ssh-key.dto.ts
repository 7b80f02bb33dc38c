import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/** An OpenSSH public key line: `<type> <base64> [comment]`. */
export class SetSshKeyDto {
  @ApiProperty({
    example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDG6jGZfsxxjgk2GeJEd5AwHb6XlZ+mGpwAYeUcj/BMc alice@lab',
  })
  @IsString()
  @MaxLength(8192)
  @Matches(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]{1,200})?$/,
    { message: 'sshPublicKey must be an OpenSSH public key line: "<type> <base64> [comment]"' },
  )
  sshPublicKey: string;
}
