import {
  AmendCommand,
  MarketSpec,
  PlaceCommand,
  RejectCode,
  SelfTradePrevention,
  TimeInForce,
} from './types';

/** Why a command was refused. Business rejections are values, never exceptions. */
export interface Rejection {
  code: RejectCode;
  message: string;
}

const reject = (code: RejectCode, message: string): Rejection => ({ code, message });

export const isId = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0;
const isPositiveInt = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) > 0;
const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/** A market spec the engine can work with, or the reason it cannot. */
export function validateMarketSpec(spec: MarketSpec): Rejection | null {
  if (!spec || typeof spec.symbol !== 'string' || spec.symbol.length === 0) {
    return reject('INVALID_REQUEST', 'symbol must be a non-empty string');
  }
  if (!isPositiveInt(spec.tickSize)) return reject('INVALID_PRICE', 'tickSize must be a positive integer');
  if (!isPositiveInt(spec.lotSize)) return reject('INVALID_QUANTITY', 'lotSize must be a positive integer');
  if (!isPositiveInt(spec.minDurationHours) || !isPositiveInt(spec.maxDurationHours)) {
    return reject('INVALID_DURATION', 'duration bounds must be positive integers');
  }
  if (spec.minDurationHours > spec.maxDurationHours) {
    return reject('INVALID_DURATION', 'minDurationHours exceeds maxDurationHours');
  }
  return null;
}

export function validatePrice(price: unknown, spec: MarketSpec): Rejection | null {
  if (!isPositiveInt(price))
    return reject('INVALID_PRICE', 'price must be a positive integer of price units');
  if (price % spec.tickSize !== 0)
    return reject('INVALID_PRICE', `price is not a multiple of ${spec.tickSize}`);
  return null;
}

export function validateQuantity(quantity: unknown, spec: MarketSpec, field = 'quantity'): Rejection | null {
  if (!isPositiveInt(quantity)) return reject('INVALID_QUANTITY', `${field} must be a positive integer`);
  if (quantity % spec.lotSize !== 0) {
    return reject('INVALID_QUANTITY', `${field} is not a multiple of the lot size ${spec.lotSize}`);
  }
  return null;
}

/** Checks a new order against its market. `now` has already been checked by the caller. */
export function validatePlace(cmd: PlaceCommand, spec: MarketSpec): Rejection | null {
  if (!isId(cmd.orderId) || !isId(cmd.accountId)) {
    return reject('INVALID_REQUEST', 'orderId and accountId must be non-negative integers');
  }
  if (cmd.side !== 'buy' && cmd.side !== 'sell') return reject('INVALID_REQUEST', 'side must be buy or sell');
  if (cmd.type !== 'limit' && cmd.type !== 'market') {
    return reject('INVALID_REQUEST', 'type must be limit or market');
  }
  const tif: TimeInForce = cmd.timeInForce ?? 'GTC';
  if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK' && tif !== 'GTD') {
    return reject('INVALID_REQUEST', 'unknown timeInForce');
  }
  const stp: SelfTradePrevention = cmd.selfTradePrevention ?? 'cancel_newest';
  if (stp !== 'cancel_newest' && stp !== 'cancel_oldest' && stp !== 'cancel_both' && stp !== 'decrement') {
    return reject('INVALID_REQUEST', 'unknown selfTradePrevention');
  }
  if (!isAbsent(cmd.postOnly) && typeof cmd.postOnly !== 'boolean') {
    return reject('INVALID_REQUEST', 'postOnly must be a boolean');
  }
  const priceProblem =
    cmd.type === 'limit'
      ? validatePrice(cmd.price, spec)
      : isAbsent(cmd.price)
        ? null
        : reject('INVALID_PRICE', 'a market order takes no price');
  if (priceProblem) return priceProblem;
  const quantityProblem = validateQuantity(cmd.quantity, spec);
  if (quantityProblem) return quantityProblem;
  const sideProblem = cmd.side === 'buy' ? validateBuyFields(cmd, spec) : validateSellFields(cmd);
  if (sideProblem) return sideProblem;
  return validateTimeInForce(cmd, tif);
}

function validateBuyFields(cmd: PlaceCommand, spec: MarketSpec): Rejection | null {
  const hours = cmd.durationHours;
  if (!isPositiveInt(hours) || hours < spec.minDurationHours || hours > spec.maxDurationHours) {
    return reject(
      'INVALID_DURATION',
      `durationHours must be a whole number from ${spec.minDurationHours} to ${spec.maxDurationHours}`,
    );
  }
  if (!isAbsent(cmd.availableUntil)) return reject('INVALID_REQUEST', 'availableUntil is for sell orders');
  if (!isAbsent(cmd.minQuantity)) {
    const problem = validateQuantity(cmd.minQuantity, spec, 'minQuantity');
    if (problem) return problem;
    if ((cmd.minQuantity as number) > cmd.quantity) {
      return reject('INVALID_QUANTITY', 'minQuantity exceeds quantity');
    }
  }
  return null;
}

function validateSellFields(cmd: PlaceCommand): Rejection | null {
  if (!isAbsent(cmd.durationHours)) return reject('INVALID_REQUEST', 'durationHours is for buy orders');
  if (!isAbsent(cmd.minQuantity)) return reject('INVALID_REQUEST', 'minQuantity is for buy orders');
  if (!isAbsent(cmd.availableUntil)) {
    if (!isId(cmd.availableUntil)) return reject('INVALID_EXPIRY', 'availableUntil must be a time in ms');
    if (cmd.availableUntil <= cmd.now) return reject('INVALID_EXPIRY', 'availableUntil is not in the future');
  }
  return null;
}

function validateTimeInForce(cmd: PlaceCommand, tif: TimeInForce): Rejection | null {
  if (cmd.type === 'market' && (tif === 'GTD' || cmd.postOnly)) {
    return reject('INVALID_REQUEST', 'a market order is immediate: no GTD, no postOnly');
  }
  if (cmd.postOnly && (tif === 'IOC' || tif === 'FOK')) {
    return reject('INVALID_REQUEST', 'postOnly cannot be IOC or FOK');
  }
  if (tif === 'GTD') {
    if (!isId(cmd.expireAt)) return reject('INVALID_EXPIRY', 'GTD needs expireAt, a time in ms');
    if (cmd.expireAt <= cmd.now) return reject('INVALID_EXPIRY', 'expireAt is not in the future');
  } else if (!isAbsent(cmd.expireAt)) {
    return reject('INVALID_REQUEST', 'expireAt is only for GTD orders');
  }
  return null;
}

/** What an amend needs to know of the open order it changes. */
export interface AmendTarget {
  side: 'buy' | 'sell';
  filled: number;
  minQuantity: number | null;
}

export function validateAmend(cmd: AmendCommand, spec: MarketSpec, order: AmendTarget): Rejection | null {
  if (isAbsent(cmd.quantity) && isAbsent(cmd.price)) {
    return reject('INVALID_REQUEST', 'amend needs a quantity or a price');
  }
  if (!isAbsent(cmd.price)) {
    const problem = validatePrice(cmd.price, spec);
    if (problem) return problem;
  }
  if (!isAbsent(cmd.quantity)) {
    const problem = validateQuantity(cmd.quantity, spec);
    if (problem) return problem;
    const remaining = (cmd.quantity as number) - order.filled;
    if (remaining <= 0) return reject('INVALID_QUANTITY', 'quantity must exceed the filled quantity');
    if (order.minQuantity !== null && remaining < order.minQuantity) {
      return reject('INVALID_QUANTITY', 'the remaining quantity would fall below minQuantity');
    }
  }
  return null;
}

/** The checks every command passes before a book looks at it: a known kind, a valid time and ids. */
export function validateEnvelope(cmd: unknown): Rejection | null {
  if (typeof cmd !== 'object' || cmd === null)
    return reject('INVALID_REQUEST', 'a command must be an object');
  const c = cmd as Record<string, unknown>;
  const kind = c.kind;
  if (kind !== 'place' && kind !== 'cancel' && kind !== 'amend' && kind !== 'cancelAll' && kind !== 'tick') {
    return reject('INVALID_REQUEST', 'unknown command kind');
  }
  if (!isId(c.now)) return reject('INVALID_REQUEST', 'now must be a non-negative integer (ms)');
  if (kind === 'tick') return null;
  if (!isId(c.accountId)) return reject('INVALID_REQUEST', 'accountId must be a non-negative integer');
  if ((kind === 'cancel' || kind === 'amend') && !isId(c.orderId)) {
    return reject('INVALID_REQUEST', 'orderId must be a non-negative integer');
  }
  return null;
}

/** Rejections that depend on the book's state rather than on the command alone. */
export const REJECT = {
  notOpen: reject('ORDER_NOT_OPEN', 'the order is not open'),
  foreign: reject('NOT_FOUND', 'no such order for this account'),
  postOnly: reject('POST_ONLY_WOULD_TAKE', 'a post-only order would take liquidity'),
  duplicate: reject('DUPLICATE_ORDER_ID', 'an open order already has this id'),
} as const;
