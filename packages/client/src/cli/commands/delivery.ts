import { ExchangeError } from '../../errors';
import { unwrap } from '../../rest/rest-client';
import type { Lease, Order } from '../../ws/messages';
import type { Context } from '../context';

export interface Delivery {
  order: Order;
  leases: Lease[];
  /** The order filled and every one of its leases is active. */
  delivered: boolean;
}

const WAITING = new Set(['provisioning', 'verifying']);

/**
 * Follows an order to its leases until the GPUs are handed over (every lease active) or something ended without
 * them; prints each step. The private feed says when to look again (it reconnects by itself); a read every second
 * covers what a reconnection missed.
 */
export async function waitForDelivery(ctx: Context, orderId: string, timeoutMs: number): Promise<Delivery> {
  const socket = ctx.socket();
  let wake: () => void = () => undefined;
  for (const event of ['order', 'fill', 'lease'] as const) socket.on(event, () => wake());
  for (const channel of ['orders', 'fills', 'leases'] as const) socket.subscribe(channel);
  await socket.connect();

  const shown = new Map<string, string>();
  const show = (key: string, line: string) => {
    if (shown.get(key) !== line) ctx.out.progress(line);
    shown.set(key, line);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await unwrap(ctx.rest.GET('/v1/orders/{id}', { params: { path: { id: orderId } } }));
    show('order', `order ${order.id} ${order.status}: ${order.filledQuantity}/${order.quantity} GPUs filled`);
    const fills = await unwrap(ctx.rest.GET('/v1/fills', { params: { query: { limit: 500 } } }));
    const leaseIds = new Set(
      fills.filter((f) => f.orderId === orderId && f.leaseId).map((f) => f.leaseId as string),
    );
    const leases = await Promise.all(
      [...leaseIds].map((id) => unwrap(ctx.rest.GET('/v1/leases/{id}', { params: { path: { id } } }))),
    );
    for (const lease of leases)
      show(
        lease.id,
        `lease ${lease.id} (${lease.quantity} GPUs, ${lease.symbol}): ${lease.status}${lease.failureReason ? ` (${lease.failureReason})` : ''}`,
      );
    const settled = order.status !== 'open' && leases.every((lease) => !WAITING.has(lease.status));
    if (settled) {
      const delivered =
        order.status === 'filled' && leases.length > 0 && leases.every((lease) => lease.status === 'active');
      return { order, leases, delivered };
    }
    if (Date.now() > deadline) {
      throw new ExchangeError(
        'TIMEOUT',
        `still waiting after ${Math.round(timeoutMs / 1000)} s: order ${order.id} is ${order.status} with ${order.filledQuantity}/${order.quantity} GPUs filled (it stays; gpux cancel ${order.id})`,
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      wake = () => (clearTimeout(timer), resolve());
    });
  }
}
