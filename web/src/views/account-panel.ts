import {
  unwrap,
  type ExchangeSocket,
  type Fill,
  type Lease,
  type Order,
  type components,
} from '@gpu-hour-exchange/client';
import type { Api } from '../api';
import { byId, dateTime, h, show, time } from '../dom';
import type { Market } from './market-picker';
import { Cluster, OrderForm } from './order-form';

type Account = components['schemas']['Account'];
type Tab = 'orders' | 'fills' | 'leases';
const KEY = 'exchange.apiKey';

/**
 * The signed-in account: the API key (kept in this tab's sessionStorage only), its balance, the order form, and its
 * open orders (amend, cancel), fills and leases (with access details), kept current by the private channels.
 */
export class AccountPanel {
  private readonly element = byId('account');
  private readonly signInForm = byId<HTMLFormElement>('sign-in');
  private readonly form: OrderForm;
  private account: Account | null = null;
  private tab: Tab = 'orders';
  private orders: Order[] = [];
  private fills: Fill[] = [];
  private leases: Lease[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly api: Api,
    private readonly feed: ExchangeSocket,
    private readonly onError: (error: unknown, doing: string) => void,
  ) {
    this.form = new OrderForm(api, onError, () => this.refreshSoon());
    this.signInForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const key = (this.signInForm.querySelector('input') as HTMLInputElement).value.trim();
      if (key) void this.signIn(key);
    });
  }

  /** Signs in again with the key this tab kept, if any. */
  async start(): Promise<void> {
    const kept = sessionStorage.getItem(KEY);
    if (kept) await this.signIn(kept);
    else this.render();
  }

  setMarket(market: Market): void {
    this.form.setMarket(market);
  }

  private async signIn(apiKey: string): Promise<void> {
    this.api.signIn(apiKey);
    try {
      this.account = await unwrap(this.api.rest.GET('/v1/account'));
    } catch (error) {
      this.api.signIn(null);
      sessionStorage.removeItem(KEY);
      this.onError(error, 'signing in');
      this.render();
      return;
    }
    sessionStorage.setItem(KEY, apiKey);
    await this.feed.signIn(apiKey).catch((error) => this.onError(error, 'signing in to the feed'));
    this.unsubscribe = [
      ...(['orders', 'fills', 'leases'] as const).map((channel) => this.feed.subscribe(channel)),
      ...(['order', 'fill', 'lease'] as const).map((event) => this.feed.on(event, () => this.refreshSoon())),
    ];
    if (this.account.scopes.includes('sell') || this.account.scopes.includes('admin')) {
      this.form.setClusters(await unwrap(this.api.rest.GET('/v1/clusters')).catch((): Cluster[] => []));
    }
    await this.refresh();
  }

  private signOut(): void {
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    this.feed.signOut();
    this.api.signIn(null);
    this.account = null;
    sessionStorage.removeItem(KEY);
    this.render();
  }

  /** Private-channel messages come in bursts: one refresh for a burst. */
  private refreshSoon(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, 100);
  }

  private async refresh(): Promise<void> {
    if (!this.account) return;
    try {
      [this.account, this.orders, this.fills, this.leases] = await Promise.all([
        unwrap(this.api.rest.GET('/v1/account')),
        unwrap(this.api.rest.GET('/v1/orders', { params: { query: { status: 'open', limit: 100 } } })),
        unwrap(this.api.rest.GET('/v1/fills', { params: { query: { limit: 50 } } })),
        unwrap(this.api.rest.GET('/v1/leases', { params: { query: { limit: 50 } } })),
      ]);
    } catch (error) {
      this.onError(error, 'loading the account');
    }
    this.render();
  }

  private render(): void {
    if (!this.account) {
      show(
        this.signInForm,
        h('input', {
          type: 'password',
          name: 'apiKey',
          placeholder: 'API key',
          'aria-label': 'API key',
          autocomplete: 'off',
          size: 28,
        }),
        h('button', { type: 'submit' }, 'Sign in'),
      );
      show(
        this.element,
        h('h2', {}, 'Account'),
        h(
          'div',
          { class: 'empty' },
          'Sign in with an API key to trade (it is kept in this browser tab only).',
        ),
      );
      return;
    }
    const { name, balance } = this.account;
    show(
      this.signInForm,
      h('span', { class: 'muted' }, name),
      h('button', { type: 'button', onclick: () => this.signOut() }, 'Sign out'),
    );
    const tabButton = (tab: Tab, label: string) =>
      h(
        'button',
        {
          type: 'button',
          'aria-selected': String(this.tab === tab),
          onclick: () => ((this.tab = tab), this.render()),
        },
        label,
      );
    show(
      this.element,
      h('h2', {}, `Account: ${name}`),
      h(
        'div',
        { class: 'balance', 'data-balance': '' },
        ...(['available', 'held', 'escrow'] as const).map((b) =>
          h('span', { [`data-${b}`]: balance[b] }, h('b', {}, b), `${balance[b]} USD`),
        ),
      ),
      this.sshKeyForm(),
      h(
        'div',
        { class: 'account-grid' },
        this.form.element,
        h(
          'div',
          {},
          h(
            'div',
            { class: 'tabs' },
            tabButton('orders', `Open orders (${this.orders.length})`),
            tabButton('fills', 'Fills'),
            tabButton('leases', 'Leases'),
          ),
          this.tab === 'orders'
            ? this.ordersTable()
            : this.tab === 'fills'
              ? this.fillsTable()
              : this.leasesTable(),
        ),
      ),
    );
  }

  /** The SSH public key sellers' clusters receive with this account's leases. */
  private sshKeyForm(): HTMLElement {
    const input = h('input', {
      name: 'sshPublicKey',
      placeholder: 'ssh-ed25519 AAAA… (sent to the clusters of your leases)',
      value: this.account?.sshPublicKey ?? '',
      size: 60,
      'aria-label': 'SSH public key',
    });
    const save = async (event: Event) => {
      event.preventDefault();
      const key = input.value.trim();
      try {
        if (key) await unwrap(this.api.rest.PUT('/v1/account/ssh-key', { body: { sshPublicKey: key } }));
        else await unwrap(this.api.rest.DELETE('/v1/account/ssh-key'));
        await this.refresh();
      } catch (error) {
        this.onError(error, 'saving the SSH key');
      }
    };
    return h(
      'form',
      { class: 'ssh-key', onsubmit: save },
      h('label', {}, 'SSH key '),
      input,
      ' ',
      h('button', { type: 'submit', name: 'saveSshKey' }, 'Save'),
    );
  }

  private ordersTable(): HTMLElement {
    if (this.orders.length === 0)
      return h('div', { class: 'empty', 'data-empty': 'orders' }, 'No open orders');
    return table(
      ['market', 'side', 'price', 'GPUs', 'filled', 'hours', 'tif', 'placed', ''],
      this.orders.map((o) =>
        h(
          'tr',
          { 'data-order-id': o.id, 'data-price': o.price ?? '' },
          h('td', {}, o.symbol),
          h('td', { class: `side-${o.side}` }, o.side),
          h(
            'td',
            {},
            h('input', { name: 'price', value: o.price ?? '', size: 7, 'aria-label': 'new price' }),
          ),
          h(
            'td',
            {},
            h('input', {
              name: 'quantity',
              type: 'number',
              value: o.quantity,
              style: 'width:5em',
              'aria-label': 'new quantity',
            }),
          ),
          h('td', {}, o.filledQuantity),
          h('td', {}, o.durationHours ?? '—'),
          h('td', {}, o.timeInForce),
          h('td', {}, time(o.createdAt)),
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', name: 'amend', onclick: (e: Event) => void this.amend(o, e) },
              'Amend',
            ),
            ' ',
            h('button', { type: 'button', name: 'cancel', onclick: () => void this.cancel(o) }, 'Cancel'),
          ),
        ),
      ),
    );
  }

  private async amend(order: Order, event: Event): Promise<void> {
    const row = (event.target as HTMLElement).closest('tr') as HTMLTableRowElement;
    const price = (row.querySelector('[name="price"]') as HTMLInputElement).value.trim();
    const quantity = Number((row.querySelector('[name="quantity"]') as HTMLInputElement).value);
    const change: { price?: string; quantity?: number } = {};
    if (price && price !== order.price) change.price = price;
    if (quantity !== order.quantity) change.quantity = quantity;
    if (Object.keys(change).length === 0) return;
    try {
      await unwrap(
        this.api.rest.PATCH('/v1/orders/{id}', { params: { path: { id: order.id } }, body: change }),
      );
      this.refreshSoon();
    } catch (error) {
      this.onError(error, `amending order ${order.id}`);
    }
  }

  private async cancel(order: Order): Promise<void> {
    try {
      await unwrap(this.api.rest.DELETE('/v1/orders/{id}', { params: { path: { id: order.id } } }));
      this.refreshSoon();
    } catch (error) {
      this.onError(error, `cancelling order ${order.id}`);
    }
  }

  private fillsTable(): HTMLElement {
    if (this.fills.length === 0) return h('div', { class: 'empty' }, 'No fills yet');
    return table(
      ['time', 'market', 'side', 'price', 'GPUs', 'hours', 'liquidity'],
      this.fills.map((f) =>
        h(
          'tr',
          { 'data-trade-id': f.tradeId },
          h('td', {}, time(f.time)),
          h('td', {}, f.symbol),
          h('td', { class: `side-${f.side}` }, f.side),
          h('td', {}, f.price),
          h('td', {}, f.quantity),
          h('td', {}, f.durationHours),
          h('td', {}, f.liquidity),
        ),
      ),
    );
  }

  private leasesTable(): HTMLElement {
    if (this.leases.length === 0) return h('div', { class: 'empty' }, 'No leases yet');
    return table(
      ['market', 'GPUs', 'price', 'hours', 'status', 'start', 'end', 'access'],
      this.leases.map((l) =>
        h(
          'tr',
          { 'data-lease-id': l.id },
          h('td', {}, l.symbol),
          h('td', {}, l.quantity),
          h('td', {}, l.price),
          h('td', {}, l.durationHours),
          h('td', { 'data-status': l.status }, l.status),
          h('td', {}, dateTime(l.startAt)),
          h('td', {}, dateTime(l.endAt)),
          h(
            'td',
            {},
            l.access
              ? h(
                  'details',
                  {},
                  h('summary', {}, 'show'),
                  h('pre', { class: 'access' }, JSON.stringify(l.access, null, 2)),
                )
              : '—',
          ),
        ),
      ),
    );
  }
}

function table(headings: string[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h(
    'table',
    { class: 'grid' },
    h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows),
  );
}
