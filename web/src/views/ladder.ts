import { byId, h, show } from '../dom';
import type { LocalBook, WireLevel } from '@gpu-hour-exchange/client';

const DEPTH = 12;

/** The order book ladder: asks above (best at the bottom), the spread, bids below; price, GPUs, cumulative. */
export class Ladder {
  private readonly element = byId('ladder');
  private readonly sequence = byId('book-sequence');

  render(book: LocalBook | null): void {
    if (!book || book.sequence < 0) {
      show(this.element, h('div', { class: 'empty' }, 'loading the book…'));
      return;
    }
    this.sequence.textContent = `seq ${book.sequence}`;
    if (book.empty) {
      show(this.element, h('div', { class: 'empty', 'data-empty': 'book' }, 'No orders in this market yet'));
      return;
    }
    const asks = withTotals(book.levels('sell', DEPTH));
    const bids = withTotals(book.levels('buy', DEPTH));
    const widest = Math.max(asks.at(-1)?.[2] ?? 0, bids.at(-1)?.[2] ?? 0, 1);
    const row = (side: 'ask' | 'bid', [price, quantity, total]: [string, number, number]) =>
      h(
        'div',
        { class: `ladder-row ${side}`, 'data-price': price, 'data-side': side },
        h('div', { class: 'bar', style: `width:${(100 * total) / widest}%` }),
        h('span', { class: 'price' }, price),
        h('span', { class: 'quantity' }, quantity),
        h('span', { class: 'total' }, total),
      );
    const bestBid = bids[0]?.[0];
    const bestAsk = asks[0]?.[0];
    const spread =
      bestBid !== undefined && bestAsk !== undefined
        ? `spread ${(Number(bestAsk) - Number(bestBid)).toFixed(6).replace(/\.?0+$/, '')}`
        : bestAsk === undefined
          ? 'no asks'
          : 'no bids';
    show(
      this.element,
      h(
        'div',
        { class: 'ladder-row ladder-head' },
        h('span', {}, 'price'),
        h('span', {}, 'GPUs'),
        h('span', {}, 'total'),
      ),
      ...[...asks].reverse().map((level) => row('ask', level)),
      h('div', { class: 'spread' }, spread),
      ...bids.map((level) => row('bid', level)),
    );
  }
}

function withTotals(levels: WireLevel[]): [string, number, number][] {
  let total = 0;
  return levels.map(([price, quantity]) => [price, quantity, (total += quantity)]);
}
