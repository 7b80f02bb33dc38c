import Decimal from 'decimal.js';

/** USD amounts and prices travel as decimal strings; inside they are decimal.js values, never floats. */
export const MONEY_PATTERN = /^(0|[1-9]\d{0,14})(\.\d{1,10})?$/;

export function money(value: string | Decimal): Decimal {
  return new Decimal(value);
}

/** The canonical wire form: plain decimal notation, no exponent, no trailing zeros. */
export function formatMoney(value: Decimal | string): string {
  return (value instanceof Decimal ? value : new Decimal(value)).toFixed();
}
