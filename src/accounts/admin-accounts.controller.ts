import { Body, Controller, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/auth.decorators';
import { AccountsService } from './accounts.service';
import { CreateAccountDto } from './dto/create-account.dto';
import { DepositDto } from './dto/deposit.dto';

@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/accounts')
export class AdminAccountsController {
  constructor(@Inject(AccountsService) private readonly accounts: AccountsService) {}

  @Post()
  create(@Body() body: CreateAccountDto) {
    return this.accounts.create(body.name, body.scopes);
  }

  /** Money in: credited to the account's available balance, through the single writer like every change to it. */
  @Post(':id/deposits')
  deposit(@Param('id') accountId: string, @Body() body: DepositDto) {
    return this.accounts.deposit(accountId, body.amount);
  }
}
