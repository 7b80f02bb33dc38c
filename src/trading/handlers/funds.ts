import Decimal from 'decimal.js';
import { MONEY_PATTERN } from '../../common/money';
import { EXCHANGE_ACCOUNT_ID } from '../accounts';
import type { DepositCommand } from '../commands';
import { NOTHING, Outcome, refuse } from '../results';
import type { TradingState } from '../state/trading-state';
import type { CommandContext } from './context';
import { post } from './ledger';

/** Money comes in: the exchange's deposits book owes it, the account's available balance has it. */
export function deposit(state: TradingState, ctx: CommandContext, cmd: DepositCommand): Outcome<'deposit'> {
  if (!MONEY_PATTERN.test(cmd.amount))
    return refuse('INVALID_REQUEST', 'amount must be a decimal string such as "1000.00"');
  const amount = new Decimal(cmd.amount);
  if (amount.lte(0)) return refuse('INVALID_REQUEST', 'amount must be greater than zero');
  if (!state.balances.canDeposit(cmd.accountId, amount))
    return refuse('INVALID_REQUEST', 'the deposit would take a balance beyond what the ledger holds');
  post(state, ctx, 'deposit', {}, [
    { accountId: EXCHANGE_ACCOUNT_ID, book: 'deposits', amount: amount.negated() },
    { accountId: cmd.accountId, book: 'available', amount },
  ]);
  return { ok: true, value: NOTHING };
}
