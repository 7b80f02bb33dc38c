import { unwrap, type components } from '@gpu-hour-exchange/client';
import type { Api } from '../api';
import { byId, h, show } from '../dom';

type MarketRecord = components['schemas']['MarketReliability'];

const REFRESH_MS = 15_000;

const pct = (v: number | null) => (v === null ? '—' : `${v}%`);
const seconds = (v: number | null) =>
  v === null ? '—' : v < 120 ? `${Math.round(v)} s` : `${Math.round(v / 60)} min`;
const hours = (v: string) => Number(v).toLocaleString([], { maximumFractionDigits: 1 });

/**
 * The market's sellers and how they deliver (`GET /v1/markets/:symbol/reliability`), beside the book: buyers
 * weigh reliability with the price. The book itself stays anonymous: this lists who has traded here, not who
 * is on which ask.
 */
export class SellersPanel {
  private readonly element = byId('sellers');
  private symbol: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly api: Api,
    private readonly onError: (error: unknown, doing: string) => void,
  ) {}

  setMarket(symbol: string): void {
    this.symbol = symbol;
    show(this.element);
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
    void this.load();
  }

  /** Reloads soon after a trade (its lease is provisioned and checked within seconds). */
  traded(): void {
    setTimeout(() => void this.load(), 1500);
  }

  private async load(): Promise<void> {
    const symbol = this.symbol;
    if (!symbol) return;
    try {
      const record: MarketRecord = await unwrap(
        this.api.rest.GET('/v1/markets/{symbol}/reliability', { params: { path: { symbol } } }),
      );
      if (symbol === this.symbol) this.render(record);
    } catch (error) {
      this.onError(error, `loading ${symbol}'s delivery records`);
    }
  }

  private render(r: MarketRecord): void {
    if (r.leases === 0) {
      show(this.element, h('div', { class: 'empty', 'data-empty': 'sellers' }, 'No leases yet'));
      return;
    }
    show(
      this.element,
      h(
        'div',
        { class: 'delivery-summary', 'data-market-record': r.symbol },
        `${r.leases} lease${r.leases === 1 ? '' : 's'} · on time ${pct(r.onTimeActivationPct)} · median to active ` +
          `${seconds(r.medianSecondsToActive)} · ${r.failed + r.lost} failed or lost · ${r.credited} credited`,
      ),
      h(
        'table',
        { class: 'grid compact' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'seller'),
            h('th', { title: 'leases handed over (active or delivered) / failed or lost' }, 'ok / bad'),
            h('th', { title: 'activated by the time promised' }, 'on time'),
            h('th', { title: 'activated after passed acceptance checks' }, 'checked'),
            h('th', {}, 'GPU-h'),
          ),
        ),
        h(
          'tbody',
          {},
          ...r.sellers.map((s) =>
            h(
              'tr',
              { 'data-seller-id': s.sellerId, title: s.sellerId },
              h('td', {}, s.sellerId.slice(0, 8)),
              h('td', {}, `${s.delivered + s.active} / ${s.failed + s.lost}`),
              h('td', {}, pct(s.onTimeActivationPct)),
              h('td', {}, `${s.verified} of ${s.verified + s.unverified}`),
              h('td', {}, hours(s.gpuHoursDelivered)),
            ),
          ),
        ),
      ),
    );
  }
}
