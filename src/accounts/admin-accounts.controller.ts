import { Body, Controller, Delete, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { RequireScopes } from '../auth/auth.decorators';
import { LimitQueryDto } from '../common/dto/limit-query.dto';
import { AccountsService } from './accounts.service';
import { ApiKeysService } from './api-keys.service';
import { CreateAccountDto } from './dto/create-account.dto';
import { DepositDto } from './dto/deposit.dto';

@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/accounts')
export class AdminAccountsController {
  constructor(
    @Inject(AccountsService) private readonly accounts: AccountsService,
    @Inject(ApiKeysService) private readonly keys: ApiKeysService,
  ) {}

  @ApiOperation({ summary: 'Create an account and its first key (admin)' })
  @ApiAnswer(201, 'CreatedAccount', 'the account, its key shown once')
  @Post()
  create(@Body() body: CreateAccountDto) {
    return this.accounts.create(body.name, body.scopes);
  }

  /** Money in: credited to the account's available balance, through the single writer like every change to it. */
  @ApiOperation({ summary: 'Deposit into an account (admin)' })
  @ApiAnswer(201, 'Balance', 'the balance after the deposit')
  @Post(':id/deposits')
  deposit(@Param('id') accountId: string, @Body() body: DepositDto) {
    return this.accounts.deposit(accountId, body.amount);
  }

  @ApiOperation({ summary: "List an account's API keys (admin)" })
  @ApiAnswer(200, ['ApiKey'], 'the keys, without secrets')
  @Get(':id/api-keys')
  async listKeys(@Param('id') accountId: string, @Query() query: LimitQueryDto) {
    await this.accounts.existing(accountId);
    return this.keys.list(accountId, query.limit ?? 100);
  }

  /** Revokes one of the account's keys at once (a leaked key, say), closing its WebSocket sessions. */
  @ApiOperation({ summary: "Revoke an account's API key (admin)" })
  @ApiAnswer(200, 'ApiKey', 'the revoked key')
  @Delete(':id/api-keys/:keyId')
  async revokeKey(@Param('id') accountId: string, @Param('keyId') keyId: string) {
    await this.accounts.existing(accountId);
    return this.keys.revoke(accountId, keyId);
  }
}
