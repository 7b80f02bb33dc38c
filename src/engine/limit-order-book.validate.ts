import type { IdIndex } from './id-index';
import type { BookOrder } from './book-order';
import type { ExpiryHeap } from './expiry-heap';
import type { PriceLadder } from './price-ladder';
import { MarketSpec } from './types';

/** Every structural invariant of the fast book; returns the violations found (empty = sound). */
export function bookProblems(
  market: MarketSpec,
  ladders: PriceLadder[],
  orders: IdIndex<BookOrder>,
  accountHeads: Map<number, BookOrder>,
  expiries: ExpiryHeap,
): string[] {
  const problems: string[] = [];
  let resting = 0;
  let expiring = 0;
  for (const ladder of ladders) {
    problems.push(...ladder.problems());
    for (const level of ladder.bestFirst()) {
      const where = `${ladder.side} level ${level.price}`;
      if (level.count === 0 || level.head === null) problems.push(`${where}: empty level kept`);
      let count = 0;
      let total = 0;
      let prev: BookOrder | null = null;
      for (let o = level.head; o !== null; prev = o, o = o.next) {
        count++;
        total += o.remaining;
        resting++;
        if (o.expiresAt !== null) expiring++;
        problems.push(...orderProblems(market, o, prev, ladder.side, level.price));
        if (orders.get(o.id) !== o) problems.push(`order ${o.id}: not indexed by id`);
        if (o.level !== level) problems.push(`order ${o.id}: wrong level link`);
      }
      if (level.tail !== prev) problems.push(`${where}: tail is not the last order`);
      if (count !== level.count) problems.push(`${where}: count ${level.count}, orders ${count}`);
      if (total !== level.total) problems.push(`${where}: total ${level.total}, sum ${total}`);
    }
  }
  if (resting !== orders.size) problems.push(`${orders.size} orders indexed, ${resting} resting`);
  if (expiring !== expiries.size) problems.push(`${expiries.size} in the expiry heap, ${expiring} expiring`);
  problems.push(...expiries.problems());
  problems.push(...accountProblems(orders, accountHeads));
  return problems;
}

function orderProblems(
  market: MarketSpec,
  o: BookOrder,
  prev: BookOrder | null,
  side: string,
  price: number | null,
): string[] {
  const problems: string[] = [];
  const where = `order ${o.id}`;
  if (o.prev !== prev) problems.push(`${where}: broken FIFO link`);
  if (o.side !== side || o.price !== price) problems.push(`${where}: in the wrong level`);
  if (o.remaining <= 0 || o.filled < 0)
    problems.push(`${where}: remaining ${o.remaining}, filled ${o.filled}`);
  if (o.remaining % market.lotSize !== 0) problems.push(`${where}: remaining not on the lot`);
  if ((o.price as number) % market.tickSize !== 0) problems.push(`${where}: price off tick`);
  if (o.minQuantity !== null && o.remaining < o.minQuantity)
    problems.push(`${where}: remaining below minQuantity`);
  if (o.timeInForce !== 'GTC' && o.timeInForce !== 'GTD') problems.push(`${where}: ${o.timeInForce} resting`);
  if ((o.expiresAt !== null) !== o.heapIndex >= 0) problems.push(`${where}: expiry heap membership wrong`);
  return problems;
}

function accountProblems(orders: IdIndex<BookOrder>, accountHeads: Map<number, BookOrder>): string[] {
  const problems: string[] = [];
  let listed = 0;
  for (const [accountId, head] of accountHeads) {
    if (head.accountPrev !== null) problems.push(`account ${accountId}: head has a predecessor`);
    for (let o: BookOrder | null = head; o !== null; o = o.accountNext) {
      listed++;
      if (o.accountId !== accountId) problems.push(`order ${o.id}: in account ${accountId}'s list`);
      if (o.accountNext !== null && o.accountNext.accountPrev !== o)
        problems.push(`order ${o.id}: broken link`);
      if (orders.get(o.id) !== o) problems.push(`order ${o.id}: listed for its account but not open`);
    }
  }
  if (listed !== orders.size) problems.push(`${listed} orders in account lists, ${orders.size} open`);
  return problems;
}
