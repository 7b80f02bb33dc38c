import Decimal from 'decimal.js';
import type { PlaceOrder } from '../../ws/messages';
import { ExchangeError } from '../../errors';
import { unwrap } from '../../rest/rest-client';
import { argument, integer, oneOf, optional, parse, price, required } from '../args';
import { Context } from '../context';
import { table } from '../output';
import { confirm } from '../prompt';
import { EXIT, UsageError } from '../usage';
import { waitForDelivery } from './delivery';

const CLASSES = ['firm', 'int'] as const;
const ORDER_COLUMNS = [
  'id',
  'symbol',
  'side',
  'type',
  'price',
  'quantity',
  'filledQuantity',
  'durationHours',
  'status',
];

/** Places with a fresh clientOrderId, and asks again with the same one if the answer was lost (never twice). */
async function place(ctx: Context, order: PlaceOrder) {
  const body = { ...order, clientOrderId: order.clientOrderId ?? `gpux-${crypto.randomUUID()}` };
  for (let attempt = 1; ; attempt++) {
    try {
      return await unwrap(ctx.rest.POST('/v1/orders', { body }));
    } catch (error) {
      const lost = error instanceof ExchangeError && ['OUTCOME_UNKNOWN', 'NETWORK'].includes(error.code);
      if (!lost || attempt === 3) throw error;
      ctx.out.progress(
        `${(error as ExchangeError).code}: asking again with clientOrderId ${body.clientOrderId}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

async function market(ctx: Context, gpu: string, region: string, leaseClass: string) {
  const symbol = `${gpu}.${region}.${leaseClass}`;
  const all = await unwrap(ctx.rest.GET('/v1/markets'));
  const found = all.find((m) => m.symbol === symbol);
  if (!found) {
    const near = all.filter((m) => m.gpu === gpu || m.region === region).map((m) => m.symbol);
    throw new UsageError(`no market ${symbol}${near.length ? ` (there are ${near.join(', ')})` : ''}`);
  }
  return found;
}

export async function buy(args: string[]): Promise<number | void> {
  const { flags } = parse(args, {
    gpu: { type: 'string' },
    region: { type: 'string' },
    class: { type: 'string' },
    gpus: { type: 'string' },
    hours: { type: 'string' },
    'max-price': { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  const ctx = new Context(flags);
  const gpu = required(flags, 'gpu');
  const region = required(flags, 'region');
  const leaseClass = oneOf(flags, 'class', CLASSES, 'firm');
  const gpus = integer(flags, 'gpus');
  const hours = integer(flags, 'hours');
  const maxPrice = price(flags, 'max-price');
  const timeoutSeconds = integer(flags, 'timeout', 600);
  const chosen = await market(ctx, gpu, region, leaseClass);
  const hold = new Decimal(maxPrice).times(gpus).times(hours);
  const account = await unwrap(ctx.rest.GET('/v1/account'));
  ctx.out.progress(
    `${chosen.symbol}: buy ${gpus} GPUs for ${hours} h at up to ${maxPrice} USD per GPU-hour.\n` +
      `This holds ${hold.toFixed()} USD of your ${account.balance.available} USD available until it fills or is cancelled.`,
  );
  if (!flags.yes && !(await confirm('Place the order?'))) {
    ctx.out.progress('not placed');
    return EXIT.aborted;
  }
  const order = await place(ctx, {
    symbol: chosen.symbol,
    side: 'buy',
    type: 'limit',
    price: maxPrice,
    quantity: gpus,
    durationHours: hours,
  });
  if (!flags.wait || order.status === 'rejected') {
    ctx.out.result(order, () => table([order], ORDER_COLUMNS));
    return order.status === 'rejected' ? EXIT.refused : EXIT.ok;
  }
  const outcome = await waitForDelivery(ctx, order.id, timeoutSeconds * 1000);
  ctx.out.result(outcome, () =>
    outcome.leases
      .map(
        (lease) =>
          `lease ${lease.id}: ${lease.status}, ${lease.quantity} GPUs until ${lease.endAt}\n` +
          `access: ${JSON.stringify(lease.access ?? null, null, 2)}`,
      )
      .join('\n'),
  );
  return outcome.delivered ? EXIT.ok : EXIT.undelivered;
}

/** `--until 2026-12-31T00:00:00Z`, or a duration from now: `48h`, `7d`. */
function until(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const relative = /^(\d{1,5})([hd])$/.exec(value);
  if (relative)
    return new Date(
      Date.now() + Number(relative[1]) * (relative[2] === 'h' ? 3600e3 : 86400e3),
    ).toISOString();
  if (Number.isNaN(Date.parse(value)))
    throw new UsageError(
      `--until must be a time (2026-12-31T00:00:00Z) or a duration (48h, 7d), got "${value}"`,
    );
  return new Date(value).toISOString();
}

export async function sell(args: string[]): Promise<void> {
  const { flags } = parse(args, {
    cluster: { type: 'string' },
    class: { type: 'string' },
    gpus: { type: 'string' },
    price: { type: 'string' },
    until: { type: 'string' },
  });
  const ctx = new Context(flags);
  const clusterId = required(flags, 'cluster');
  const leaseClass = oneOf(flags, 'class', CLASSES, 'firm');
  const gpus = integer(flags, 'gpus');
  const askPrice = price(flags, 'price');
  const availableUntil = until(optional(flags, 'until'));
  const clusters = await unwrap(ctx.rest.GET('/v1/clusters'));
  const cluster = clusters.find((c) => c.id === clusterId);
  if (!cluster) throw new UsageError(`no cluster ${clusterId} in this account (gpux clusters list)`);
  const order = await place(ctx, {
    symbol: `${cluster.gpu}.${cluster.region}.${leaseClass}`,
    side: 'sell',
    type: 'limit',
    price: askPrice,
    quantity: gpus,
    clusterId,
    ...(availableUntil ? { availableUntil } : {}),
  });
  ctx.out.result(order, () => table([order], [...ORDER_COLUMNS, 'availableUntil']));
}

export async function orders(args: string[]): Promise<void> {
  const { flags } = parse(args, {
    status: { type: 'string' },
    symbol: { type: 'string' },
    limit: { type: 'string' },
  });
  const ctx = new Context(flags);
  const status =
    flags.status === undefined
      ? undefined
      : oneOf(flags, 'status', ['open', 'filled', 'cancelled', 'expired'] as const);
  const query = { status, symbol: optional(flags, 'symbol'), limit: integer(flags, 'limit', 50) };
  const list = await unwrap(ctx.rest.GET('/v1/orders', { params: { query } }));
  ctx.out.result(list, () => table(list, ORDER_COLUMNS));
}

export async function cancel(args: string[]): Promise<void> {
  const { flags, positionals } = parse(args, { all: { type: 'boolean' }, symbol: { type: 'string' } });
  const ctx = new Context(flags);
  if (flags.all) {
    if (positionals.length) throw new UsageError('cancel --all takes no ORDER_ID');
    const symbol = optional(flags, 'symbol');
    const cancelled = await unwrap(ctx.rest.DELETE('/v1/orders', { params: { query: { symbol } } }));
    ctx.out.result(cancelled, () => table(cancelled, ORDER_COLUMNS));
    return;
  }
  const id = argument(positionals, 'ORDER_ID (or --all)');
  const order = await unwrap(ctx.rest.DELETE('/v1/orders/{id}', { params: { path: { id } } }));
  ctx.out.result(order, () => table([order], ORDER_COLUMNS));
}

export async function amend(args: string[]): Promise<void> {
  const { flags, positionals } = parse(args, { price: { type: 'string' }, gpus: { type: 'string' } });
  const ctx = new Context(flags);
  const id = argument(positionals, 'ORDER_ID');
  if (flags.price === undefined && flags.gpus === undefined)
    throw new UsageError('amend needs --price or --gpus');
  const body = {
    ...(flags.price === undefined ? {} : { price: price(flags, 'price') }),
    ...(flags.gpus === undefined ? {} : { quantity: integer(flags, 'gpus') }),
  };
  const order = await unwrap(ctx.rest.PATCH('/v1/orders/{id}', { params: { path: { id } }, body }));
  ctx.out.result(order, () => table([order], ORDER_COLUMNS));
}

export async function fills(args: string[]): Promise<void> {
  const { flags } = parse(args, { limit: { type: 'string' } });
  const ctx = new Context(flags);
  const list = await unwrap(
    ctx.rest.GET('/v1/fills', { params: { query: { limit: integer(flags, 'limit', 50) } } }),
  );
  ctx.out.result(list, () =>
    table(list, [
      'time',
      'orderId',
      'symbol',
      'side',
      'price',
      'quantity',
      'durationHours',
      'liquidity',
      'leaseId',
    ]),
  );
}
