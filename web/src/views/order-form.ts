import { unwrap, type PlaceOrder, type components } from '@gpu-hour-exchange/client';
import type { Api } from '../api';
import { h, show } from '../dom';
import type { Market } from './market-picker';

export type Cluster = components['schemas']['Cluster'];

/** Places an order in the selected market: buy (GPUs x hours at a limit) or sell (GPUs of one of your clusters). */
export class OrderForm {
  readonly element = h('form', { class: 'order-form', 'aria-label': 'place an order' });
  private market: Market | null = null;
  private clusters: Cluster[] = [];

  constructor(
    private readonly api: Api,
    private readonly onError: (error: unknown, doing: string) => void,
    private readonly onPlaced: () => void,
  ) {
    this.element.addEventListener('input', () => this.showHold());
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
  }

  setMarket(market: Market): void {
    this.market = market;
    this.render();
  }

  setClusters(clusters: Cluster[]): void {
    this.clusters = clusters;
    this.render();
  }

  private field<T extends HTMLElement>(name: string): T {
    return this.element.querySelector(`[name="${name}"]`) as T;
  }

  private render(): void {
    const market = this.market;
    if (!market) return;
    const side = this.field<HTMLSelectElement>('side')?.value ?? 'buy';
    const type = this.field<HTMLSelectElement>('type')?.value ?? 'limit';
    const tif = this.field<HTMLSelectElement>('timeInForce')?.value ?? 'GTC';
    const clusters = this.clusters.filter((c) => c.gpu === market.gpu && c.region === market.region);
    const row = (label: string, input: HTMLElement) => [h('label', {}, label), input];
    // A choice that changes the form (side, type) redraws it.
    const choice = (name: string, values: string[], current: string, redraw: boolean) =>
      h(
        'select',
        { name, onchange: redraw ? () => this.render() : undefined },
        ...values.map((v) => h('option', { value: v, selected: v === current }, v)),
      );
    show(
      this.element,
      ...row('side', choice('side', ['buy', 'sell'], side, true)),
      ...row('type', choice('type', ['limit', 'market'], type, true)),
      ...row(
        'price (USD/GPU-h)',
        h('input', {
          name: 'price',
          inputmode: 'decimal',
          placeholder: `tick ${market.tickSize}`,
          disabled: type === 'market',
        }),
      ),
      ...row(
        'GPUs',
        h('input', {
          name: 'quantity',
          type: 'number',
          min: market.lotSize,
          step: market.lotSize,
          value: market.lotSize,
        }),
      ),
      ...(side === 'buy'
        ? row(
            'hours',
            h('input', {
              name: 'durationHours',
              type: 'number',
              min: market.minDurationHours,
              max: market.maxDurationHours,
              value: Math.max(1, market.minDurationHours),
            }),
          )
        : row(
            'cluster',
            clusters.length
              ? h(
                  'select',
                  { name: 'clusterId' },
                  ...clusters.map((c) => h('option', { value: c.id }, `${c.name} (${c.gpuCount} GPUs)`)),
                )
              : h('span', { class: 'muted' }, `no ${market.gpu} cluster in ${market.region}`),
          )),
      ...row('time in force', choice('timeInForce', ['GTC', 'IOC', 'FOK'], tif, false)),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: side, name: 'submit' }, `${side} ${market.symbol}`),
      ),
      h('div', { class: 'hold muted', 'data-hold': '' }),
    );
    this.showHold();
  }

  /** What a buy will hold of the available balance (price x GPUs x hours), before it is placed. */
  private showHold(): void {
    const hold = this.element.querySelector('[data-hold]');
    if (!hold) return;
    const value = (name: string) => this.field<HTMLInputElement>(name)?.value.trim() ?? '';
    const gpuHours = Number(value('quantity')) * Number(value('durationHours'));
    // In micro-USD, so the product of a 6-decimal price is exact.
    const micros = Math.round(Number(value('price')) * 1_000_000);
    hold.textContent =
      value('side') !== 'buy'
        ? 'a sell offers GPUs of the cluster: nothing is held'
        : value('type') === 'market'
          ? 'a market buy holds what your available funds cover, at most'
          : micros > 0 && gpuHours > 0
            ? `holds ${((micros * gpuHours) / 1_000_000).toFixed(6).replace(/\.?0+$/, '')} USD until it fills or is cancelled`
            : '';
  }

  private async submit(): Promise<void> {
    const market = this.market;
    if (!market) return;
    const value = (name: string) => this.field<HTMLInputElement>(name)?.value.trim() ?? '';
    // The form's selects offer only what the protocol takes; the exchange checks the rest.
    const side = value('side') as PlaceOrder['side'];
    const type = value('type') as PlaceOrder['type'];
    const timeInForce = value('timeInForce') as NonNullable<PlaceOrder['timeInForce']>;
    const order: PlaceOrder = {
      symbol: market.symbol,
      side,
      type,
      quantity: Number(value('quantity')),
      timeInForce: type === 'market' && timeInForce === 'GTC' ? 'IOC' : timeInForce,
    };
    if (type === 'limit') order.price = value('price');
    if (side === 'buy') order.durationHours = Number(value('durationHours'));
    else order.clusterId = value('clusterId') || undefined;
    try {
      await unwrap(this.api.rest.POST('/v1/orders', { body: order }));
      this.onPlaced();
    } catch (error) {
      this.onError(error, `placing the ${side} order`);
    }
  }
}
