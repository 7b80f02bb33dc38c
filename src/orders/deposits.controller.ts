import { Body, Controller, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AccountsService } from '../accounts/accounts.service';
import { DepositDto } from '../accounts/dto/deposit.dto';
import { RequireScopes } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import { money } from '../common/money';
import { Balance, EXCHANGE_ACCOUNT_ID, LedgerService } from '../ledger/ledger.service';
import { OrderWriter } from './order-writer';

/**
 * Deposits go through the order writer like every other change to an available balance: the writer keeps those
 * balances in memory, and a deposit becomes part of the next group commit.
 */
@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/accounts')
export class DepositsController {
  constructor(
    @Inject(AccountsService) private readonly accounts: AccountsService,
    @Inject(OrderWriter) private readonly writer: OrderWriter,
    @Inject(LedgerService) private readonly ledger: LedgerService,
  ) {}

  @Post(':id/deposits')
  async deposit(@Param('id') accountId: string, @Body() body: DepositDto): Promise<Balance> {
    const amount = money(body.amount);
    if (amount.lte(0)) throw new DomainError('INVALID_REQUEST', 'amount must be greater than zero');
    await this.accounts.existing(accountId);
    await this.writer.submit((state, batch) => {
      batch.ledger.push({
        kind: 'deposit',
        reference: null,
        postings: [
          { accountId: EXCHANGE_ACCOUNT_ID, book: 'deposits', amount: amount.negated() },
          { accountId, book: 'available', amount },
        ],
      });
      state.creditAvailable(accountId, amount);
    });
    return this.ledger.balance(accountId);
  }
}
