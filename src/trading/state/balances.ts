import Decimal from 'decimal.js';
import { MAX_MONEY, ZERO } from '../money';
import type { Posting } from '../types';

/**
 * Every account's available balance, and the total ever deposited. Only the writer changes available balances
 * (deposits, holds, fills, settlements all go through it), so these are as current as the database.
 */
export class Balances {
  constructor(
    private readonly available: Map<string, Decimal>,
    /** Money that came in: what the exchange's `deposits` book owes (it holds the negative of this). */
    private deposited: Decimal,
  ) {}

  availableOf(accountId: string): Decimal {
    return this.available.get(accountId) ?? ZERO;
  }

  /** Follows a posting: to an account's available book, or to the exchange's deposits book. */
  apply(posting: Posting): void {
    if (posting.book === 'available')
      this.available.set(posting.accountId, this.availableOf(posting.accountId).plus(posting.amount));
    else if (posting.book === 'deposits') this.deposited = this.deposited.minus(posting.amount);
  }

  /** Whether a deposit keeps every book within what a money column holds. */
  canDeposit(accountId: string, amount: Decimal): boolean {
    return (
      this.deposited.plus(amount).lte(MAX_MONEY) && this.availableOf(accountId).plus(amount).lte(MAX_MONEY)
    );
  }

  /** Accounts with a non-zero balance, sorted (for the state hash). */
  entries(): [string, Decimal][] {
    return [...this.available].filter(([, amount]) => !amount.isZero()).sort(([a], [b]) => (a < b ? -1 : 1));
  }

  get totalDeposited(): Decimal {
    return this.deposited;
  }
}
