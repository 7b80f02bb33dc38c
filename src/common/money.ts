import Decimal from 'decimal.js';
import { formatMoney } from '../trading/money';

// The trading core's money module configures decimal.js (40 significant digits); importing it here makes every
// module that computes with money through this one get the same configuration.
export { formatMoney };

/** USD amounts and prices travel as decimal strings; inside they are decimal.js values, never floats. */
export const MONEY_PATTERN = /^(0|[1-9]\d{0,14})(\.\d{1,10})?$/;

export function money(value: string | Decimal): Decimal {
  return new Decimal(value);
}
