export * from './types';
export { LimitOrderBook } from './limit-order-book';
export { ReferenceOrderBook } from './reference-order-book';
export { MatchingEngine, fastBooks } from './matching-engine';
export type { BookFactory } from './matching-engine';
export type { Rejection } from './validation';
