import type { components } from './generated/openapi';

type Schemas = components['schemas'];

/** Every code the exchange documents (the `code` enums of the OpenAPI document's error envelopes). */
export type ExchangeErrorCode = {
  [Name in keyof Schemas]: Name extends `Error${number}` ? Schemas[Name]['error']['code'] : never;
}[keyof Schemas];

/**
 * The client's own codes: `NETWORK` (the exchange could not be reached, or the connection dropped before a read
 * was answered), `TIMEOUT` (no answer in time). A command whose answer was lost gets the exchange's
 * `OUTCOME_UNKNOWN`: retry it with the same `clientOrderId`, or read the order.
 */
export type ClientErrorCode = 'NETWORK' | 'TIMEOUT';

export type ErrorCode = ExchangeErrorCode | ClientErrorCode;

/** A refusal from the exchange (PROTOCOL.md's `{code, message}`), or a failure to reach it. */
export class ExchangeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The HTTP status, or 0 over WebSocket and when there was no answer. */
    readonly status = 0,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ExchangeError';
  }

  /** The exchange's message, without the code in front. */
  get detail(): string {
    return this.message.slice(this.code.length + 2);
  }
}
