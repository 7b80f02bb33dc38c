export { checksumText, type WireLevel } from './book/checksum-text';
export { LocalBook, type BookCheck, type Side } from './book/local-book';
export { ExchangeError, type ClientErrorCode, type ErrorCode, type ExchangeErrorCode } from './errors';
export type { components, operations, paths } from './generated/openapi';
export { createRestClient, unwrap, type RestClient, type RestClientOptions } from './rest/rest-client';
export {
  ExchangeSocket,
  webSocketUrl,
  type ExchangeSocketEvents,
  type ExchangeSocketOptions,
  type SocketState,
} from './ws/exchange-socket';
export type * from './ws/messages';
