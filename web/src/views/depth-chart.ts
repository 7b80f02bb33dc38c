import {
  AreaSeries,
  DeepPartial,
  IChartApiBase,
  ISeriesApi,
  LineType,
  PriceChartOptions,
  createOptionsChart,
} from 'lightweight-charts';
import { byId, h } from '../dom';
import type { LocalBook } from '@gpu-hour-exchange/client';
import { BUY_COLOUR, CHART_THEME, SELL_COLOUR, decimalsOf } from './chart-theme';

/** Cumulative GPUs on each side by price (a price-scaled chart: bids left, asks right). */
export class DepthChart {
  private readonly element = byId('depth');
  private readonly chart: IChartApiBase<number>;
  private readonly bids: ISeriesApi<'Area', number>;
  private readonly asks: ISeriesApi<'Area', number>;
  private readonly empty = h(
    'div',
    { class: 'empty', 'data-empty': 'depth' },
    'No orders in this market yet',
  );

  constructor() {
    this.chart = createOptionsChart(this.element, CHART_THEME);
    const area = (colour: string) =>
      this.chart.addSeries(AreaSeries, {
        lineColor: colour,
        topColor: `${colour}88`,
        bottomColor: `${colour}11`,
        lineType: LineType.WithSteps,
        priceFormat: { type: 'volume' },
        lastValueVisible: false,
        priceLineVisible: false,
      });
    this.bids = area(BUY_COLOUR);
    this.asks = area(SELL_COLOUR);
    this.element.append(this.empty);
  }

  render(book: LocalBook, tickSize: string): void {
    // Prices run along the horizontal scale (to the market's tick); GPUs up the vertical one.
    const options: DeepPartial<PriceChartOptions> = { localization: { precision: decimalsOf(tickSize) } };
    this.chart.applyOptions(options);
    let total = 0;
    const bids = book
      .levels('buy')
      .map(([price, quantity]) => ({ time: Number(price), value: (total += quantity) }));
    total = 0;
    const asks = book
      .levels('sell')
      .map(([price, quantity]) => ({ time: Number(price), value: (total += quantity) }));
    this.bids.setData(bids.reverse());
    this.asks.setData(asks);
    this.empty.hidden = bids.length + asks.length > 0;
    if (this.empty.hidden) this.chart.timeScale().fitContent();
  }
}
