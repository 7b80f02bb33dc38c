import Decimal from 'decimal.js';

/**
 * Money columns are numeric(30, 10): 30 significant digits. decimal.js keeps 20 by default, so a sum of two
 * amounts could be rounded in memory and differ from the database. With 40, no sum or product of amounts the
 * columns can hold is ever rounded. (Set once, here: every module that computes with money imports this one,
 * the trading core through its own money module.)
 */
Decimal.set({ precision: 40 });

/** A price on the wire, as the OpenAPI document gives it (a market's tick is checked by the engine). */
export const PRICE_PATTERN = '^[0-9]+(\\.[0-9]+)?$';

/** USD amounts and prices travel as decimal strings; inside they are decimal.js values, never floats. */
export const MONEY_PATTERN = /^(0|[1-9]\d{0,14})(\.\d{1,10})?$/;

export function money(value: string | Decimal): Decimal {
  return new Decimal(value);
}

/** The canonical wire form: plain decimal notation, no exponent, no trailing zeros. */
export function formatMoney(value: Decimal | string): string {
  return (value instanceof Decimal ? value : new Decimal(value)).toFixed();
}
