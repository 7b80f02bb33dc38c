import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-responses';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { AccountsService } from './accounts.service';
import { LedgerQueryDto } from './dto/ledger-query.dto';

@ApiTags('account')
@ApiBearerAuth()
@Controller('v1/account')
export class AccountsController {
  constructor(@Inject(AccountsService) private readonly accounts: AccountsService) {}

  @ApiOperation({ summary: 'Your account and balances' })
  @ApiAnswer(200, 'Account', 'the account')
  @Get()
  @RequireScopes('read', 'trade', 'sell')
  get(@CurrentPrincipal() principal: Principal) {
    return this.accounts.view(accountOf(principal));
  }

  @ApiOperation({ summary: 'Your ledger lines, newest first' })
  @ApiAnswer(200, ['LedgerLine'], 'ledger lines, newest first')
  @Get('ledger')
  @RequireScopes('read', 'trade', 'sell')
  ledger(@CurrentPrincipal() principal: Principal, @Query() query: LedgerQueryDto) {
    return this.accounts.ledgerLines(accountOf(principal), query.limit ?? 100, query.before ?? null);
  }
}

/** The admin key has no account of its own. */
export function accountOf(principal: Principal): string {
  if (principal.accountId === null) throw new DomainError('FORBIDDEN', 'the admin key has no account');
  return principal.accountId;
}
