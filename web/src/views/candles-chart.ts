import {
  CandlestickSeries,
  HistogramSeries,
  IChartApi,
  ISeriesApi,
  UTCTimestamp,
  createChart,
} from 'lightweight-charts';
import { byId, h } from '../dom';
import { BUY_COLOUR, CHART_THEME, SELL_COLOUR, decimalsOf } from './chart-theme';
import type { Trade } from './trades-tape';
import type { components } from '@gpu-hour-exchange/client';

/** A candle as `GET /v1/markets/:symbol/candles` gives it (volume in GPU-hours). */
export type Candle = components['schemas']['Candle'];

const BUCKET_S = 60;

/** One-minute price candles with their volume, from the REST history and then every trade off the feed. */
export class CandlesChart {
  private readonly element = byId('candles');
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private readonly empty = h('div', { class: 'empty', 'data-empty': 'candles' }, 'No trades yet');
  private last: {
    time: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
  } | null = null;

  constructor() {
    this.chart = createChart(this.element, {
      ...CHART_THEME,
      timeScale: { timeVisible: true, secondsVisible: false, borderColor: '#26313d', rightOffset: 4 },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: BUY_COLOUR,
      downColor: SELL_COLOUR,
      wickUpColor: BUY_COLOUR,
      wickDownColor: SELL_COLOUR,
      borderVisible: false,
    });
    this.volume = this.chart.addSeries(HistogramSeries, {
      priceFormat: { type: 'volume' },
      priceScaleId: 'volume',
      color: '#3d8bfd55',
      lastValueVisible: false,
      priceLineVisible: false,
    });
    this.volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.element.append(this.empty);
  }

  reset(candles: Candle[], tickSize: string): void {
    const decimals = decimalsOf(tickSize);
    this.candles.applyOptions({
      priceFormat: { type: 'price', precision: decimals, minMove: Number(tickSize) },
    });
    // The API gives them newest first; the chart wants them oldest first.
    const points = [...candles].reverse().map((c) => ({
      time: Date.parse(c.time) / 1000,
      open: Number(c.open),
      high: Number(c.high),
      low: Number(c.low),
      close: Number(c.close),
      volume: c.volume,
    }));
    this.candles.setData(points.map(({ volume: _volume, ...p }) => ({ ...p, time: p.time as UTCTimestamp })));
    this.volume.setData(points.map((p) => ({ time: p.time as UTCTimestamp, value: p.volume })));
    this.last = points.at(-1) ?? null;
    this.empty.hidden = points.length > 0;
    this.chart.timeScale().scrollToRealTime();
  }

  /** Folds a trade into its minute's candle (a new candle when the minute is new). */
  add(trade: Trade): void {
    const price = Number(trade.price);
    const bucket = Math.floor(Date.parse(trade.time) / 1000 / BUCKET_S) * BUCKET_S;
    const gpuHours = trade.quantity * trade.durationHours;
    if (this.last && bucket < this.last.time) return; // older than what is drawn: already in the history
    this.last =
      this.last && this.last.time === bucket
        ? {
            ...this.last,
            high: Math.max(this.last.high, price),
            low: Math.min(this.last.low, price),
            close: price,
            volume: this.last.volume + gpuHours,
          }
        : { time: bucket, open: price, high: price, low: price, close: price, volume: gpuHours };
    const { volume, ...candle } = this.last;
    this.candles.update({ ...candle, time: candle.time as UTCTimestamp });
    this.volume.update({ time: candle.time as UTCTimestamp, value: volume });
    this.empty.hidden = true;
  }
}
