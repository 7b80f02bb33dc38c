import Decimal from 'decimal.js';
// Importing the edge's money module configures decimal.js (40 significant digits) before any sum is made here.
import { formatMoney } from '../common/money';

export { formatMoney };

export const ZERO = new Decimal(0);

/** The largest amount a money column holds: 20 integer digits, 10 decimals. */
export const MAX_MONEY = new Decimal('99999999999999999999.9999999999');

/** Inside the engine a price is an integer number of micro-USD per GPU-hour. */
export const UNITS_PER_USD = 1_000_000;

/** The highest price the exchange takes: its units stay exact integers in a double. */
export const MAX_PRICE_UNITS = 999_999_999_999_999;

export const unitsToUsd = (units: number): Decimal => new Decimal(units).dividedBy(UNITS_PER_USD);

/** A price in engine units as a decimal string ("2150000" -> "2.15"), without decimal.js (it runs per level). */
export function formatUnits(units: number): string {
  const whole = Math.floor(units / UNITS_PER_USD);
  const fraction = units - whole * UNITS_PER_USD;
  if (fraction === 0) return String(whole);
  return `${whole}.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
}
