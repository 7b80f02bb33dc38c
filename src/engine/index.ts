export * from './types';
export { LimitOrderBook } from './limit-order-book';
export { ReferenceOrderBook } from './reference-order-book';
export { MatchingEngine, BookFactory, fastBooks } from './matching-engine';
export { Rejection } from './validation';
