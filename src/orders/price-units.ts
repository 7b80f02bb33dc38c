import Decimal from 'decimal.js';
import { DomainError } from '../common/domain-error';
import { UNITS_PER_USD } from '../trading/money';

const PRICE = /^(0|[1-9]\d{0,8})(\.\d{1,6})?$/;

/** "2.15" -> 2150000; anything else (a number, too many decimals, too large) is INVALID_PRICE. */
export function priceToUnits(price: unknown): number {
  if (typeof price !== 'string' || !PRICE.test(price)) {
    throw new DomainError(
      'INVALID_PRICE',
      'price must be a decimal string such as "2.15" (at most 6 decimals)',
    );
  }
  return new Decimal(price).times(UNITS_PER_USD).toNumber();
}
