import type { TickerMessage, components } from '@gpu-hour-exchange/client';
import { byId, h, show } from '../dom';

export type Market = components['schemas']['Market'];

/** What the picker shows of a ticker (REST or the `ticker` channel). */
export type Ticker = Pick<TickerMessage, 'symbol' | 'bestBid' | 'bestAsk' | 'last' | 'volume24h'>;

const ALL = '';

/** Picks a market by GPU model, region and lease class; lists each with its best bid, best ask, last and volume. */
export class MarketPicker {
  private readonly table = byId('market-table');
  private readonly filters = byId('market-filters');
  private readonly tickers = new Map<string, Ticker>();
  private readonly choice = { gpu: ALL, region: ALL, leaseClass: ALL };
  private selected: string | null = null;

  constructor(
    private readonly markets: Market[],
    private readonly onSelect: (market: Market) => void,
  ) {
    const select = (field: keyof typeof this.choice, label: string, values: string[]) =>
      h(
        'select',
        {
          'aria-label': label,
          'data-filter': field,
          onchange: (e: Event) => {
            this.choice[field] = (e.target as HTMLSelectElement).value;
            this.render();
            const only = this.visible();
            if (only.length === 1) this.select(only[0].symbol);
          },
        },
        h('option', { value: ALL }, `any ${label}`),
        ...[...new Set(values)].sort().map((v) => h('option', { value: v }, v)),
      );
    show(
      this.filters,
      select(
        'gpu',
        'GPU',
        markets.map((m) => m.gpu),
      ),
      select(
        'region',
        'region',
        markets.map((m) => m.region),
      ),
      select(
        'leaseClass',
        'class',
        markets.map((m) => m.leaseClass),
      ),
    );
  }

  select(symbol: string): void {
    const market = this.markets.find((m) => m.symbol === symbol);
    if (!market || market.symbol === this.selected) return;
    this.selected = symbol;
    this.render();
    this.onSelect(market);
  }

  ticker(ticker: Ticker): void {
    this.tickers.set(ticker.symbol, ticker);
    const row = this.table.querySelector(`tr[data-symbol="${CSS.escape(ticker.symbol)}"]`);
    if (row) row.replaceWith(this.row(this.markets.find((m) => m.symbol === ticker.symbol) as Market));
  }

  render(): void {
    show(
      this.table,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'market'),
          h('th', {}, 'bid'),
          h('th', {}, 'ask'),
          h('th', {}, 'last'),
          h('th', { title: 'GPU-hours traded in 24 h' }, 'vol 24h'),
        ),
      ),
      h('tbody', {}, ...this.visible().map((m) => this.row(m))),
    );
  }

  private visible(): Market[] {
    return this.markets.filter(
      (m) =>
        (this.choice.gpu === ALL || m.gpu === this.choice.gpu) &&
        (this.choice.region === ALL || m.region === this.choice.region) &&
        (this.choice.leaseClass === ALL || m.leaseClass === this.choice.leaseClass),
    );
  }

  private row(m: Market): HTMLTableRowElement {
    const t = this.tickers.get(m.symbol);
    return h(
      'tr',
      {
        class: `clickable${m.symbol === this.selected ? ' selected' : ''}`,
        'data-symbol': m.symbol,
        onclick: () => this.select(m.symbol),
      },
      h('td', {}, m.symbol),
      h('td', { class: 'side-buy' }, t?.bestBid ?? '—'),
      h('td', { class: 'side-sell' }, t?.bestAsk ?? '—'),
      h('td', {}, t?.last ?? '—'),
      h('td', {}, t ? t.volume24h : '—'),
    );
  }
}
