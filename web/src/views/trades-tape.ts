import type { TradeMessage } from '@gpu-hour-exchange/client';
import { byId, h, show, time } from '../dom';

/** A trade as the tape shows it: from `GET /v1/markets/:symbol/trades` or the `trades` channel. */
export type Trade = Pick<
  TradeMessage,
  'tradeId' | 'price' | 'quantity' | 'durationHours' | 'takerSide' | 'time'
>;

const KEPT = 60;

/** The latest trades, newest first, coloured by the side that took liquidity. */
export class TradesTape {
  private readonly element = byId('trades');
  private trades: Trade[] = [];

  reset(trades: Trade[]): void {
    this.trades = trades.slice(0, KEPT);
    this.render();
  }

  add(trade: Trade): void {
    if (this.trades.some((t) => t.tradeId === trade.tradeId)) return;
    this.trades = [trade, ...this.trades].slice(0, KEPT);
    this.render();
  }

  private render(): void {
    if (this.trades.length === 0) {
      show(this.element, h('div', { class: 'empty', 'data-empty': 'trades' }, 'No trades yet'));
      return;
    }
    show(
      this.element,
      h(
        'table',
        { class: 'grid' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'time'), h('th', {}, 'price'), h('th', {}, 'GPUs'), h('th', {}, 'hours')),
        ),
        h(
          'tbody',
          {},
          ...this.trades.map((t) =>
            h(
              'tr',
              { 'data-trade-id': t.tradeId },
              h('td', {}, time(t.time)),
              h('td', { class: t.takerSide === 'buy' ? 'side-buy' : 'side-sell' }, t.price),
              h('td', {}, t.quantity),
              h('td', {}, t.durationHours),
            ),
          ),
        ),
      ),
    );
  }
}
