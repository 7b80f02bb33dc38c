import { Body, Controller, Delete, HttpCode, Inject, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { accountOf } from '../accounts/accounts.controller';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { SetSshKeyDto } from './dto/set-ssh-key.dto';
import { ProvisioningService } from './provisioning.service';

/** The buyer's SSH public key, which sellers' clusters receive with each lease they provision for it. */
@ApiTags('accounts')
@ApiBearerAuth()
@RequireScopes('trade')
@Controller('v1/account/ssh-key')
export class SshKeyController {
  constructor(@Inject(ProvisioningService) private readonly provisioning: ProvisioningService) {}

  @ApiOperation({ summary: 'Set the SSH public key sent with your leases' })
  @ApiAnswer(200, 'SshKey', 'the key')
  @Put()
  @HttpCode(200)
  set(@CurrentPrincipal() principal: Principal, @Body() body: SetSshKeyDto) {
    return this.provisioning.setSshKey(accountOf(principal), body.sshPublicKey);
  }

  @ApiOperation({ summary: 'Remove your SSH public key' })
  @ApiAnswer(200, 'SshKey', 'no key')
  @Delete()
  @HttpCode(200)
  remove(@CurrentPrincipal() principal: Principal) {
    return this.provisioning.setSshKey(accountOf(principal), null);
  }
}
