/** The protocol's stable error codes (PROTOCOL.md), plus the ones this implementation added. */
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNKNOWN_SYMBOL'
  | 'INVALID_PRICE'
  | 'INVALID_QUANTITY'
  | 'INVALID_DURATION'
  | 'INVALID_EXPIRY'
  | 'INSUFFICIENT_FUNDS'
  | 'INSUFFICIENT_CAPACITY'
  | 'POST_ONLY_WOULD_TAKE'
  | 'ORDER_NOT_OPEN'
  | 'UNKNOWN_CLUSTER'
  | 'DUPLICATE_ORDER_ID'
  | 'LEASE_NOT_ACTIVE'
  | 'LEASE_NOT_PROVISIONING'
  | 'INVALID_SIGNATURE'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'OUTCOME_UNKNOWN'
  | 'OVERLOADED'
  | 'INTERNAL_ERROR';

/** A refusal the caller can act on. Services throw these; one filter turns them into HTTP (or WS) errors. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_SYMBOL: 404,
  INVALID_PRICE: 400,
  INVALID_QUANTITY: 400,
  INVALID_DURATION: 400,
  INVALID_EXPIRY: 400,
  INSUFFICIENT_FUNDS: 400,
  INSUFFICIENT_CAPACITY: 400,
  POST_ONLY_WOULD_TAKE: 400,
  ORDER_NOT_OPEN: 409,
  UNKNOWN_CLUSTER: 400,
  DUPLICATE_ORDER_ID: 409,
  LEASE_NOT_ACTIVE: 409,
  LEASE_NOT_PROVISIONING: 409,
  INVALID_SIGNATURE: 401,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  OUTCOME_UNKNOWN: 503,
  OVERLOADED: 503,
  INTERNAL_ERROR: 500,
};
