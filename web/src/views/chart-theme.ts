import { ColorType, DeepPartial, TimeChartOptions } from 'lightweight-charts';

/** The page's colours, for both charts. */
export const CHART_THEME: DeepPartial<TimeChartOptions> = {
  autoSize: true,
  layout: {
    background: { type: ColorType.Solid, color: '#161d25' },
    textColor: '#d8dee6',
    attributionLogo: false,
  },
  grid: { vertLines: { color: '#1f2a35' }, horzLines: { color: '#1f2a35' } },
  rightPriceScale: { borderColor: '#26313d' },
};

export const BUY_COLOUR = '#26a269';
export const SELL_COLOUR = '#e05252';

/** Decimals a market's tick size has (`0.01` -> 2), for price labels. */
export const decimalsOf = (tickSize: string): number => (tickSize.split('.')[1] ?? '').length;
