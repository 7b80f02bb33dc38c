import { Inject, Injectable } from '@nestjs/common';
import { accountOf } from '../accounts/accounts.controller';
import { Principal } from '../auth/principal';
import { ClustersService } from '../clusters/clusters.service';
import { DomainError } from '../common/domain-error';
import { PlaceOrderDto } from './dto/place-order.dto';
import { amendOrder, cancelAllOrders, cancelOrder, placeOrder } from './order-matching';
import { AmendOrderDto } from './dto/amend-order.dto';
import { OrderRecord, OrderStatus } from './order-record';
import { fillView, orderView } from './order-view';
import { OrderWriter } from './order-writer';
import { OrdersRepository } from './orders.repository';
import { TradingState } from './trading-state';

export type OrderView = ReturnType<typeof orderView>;

export interface Placed {
  order: OrderView;
  created: boolean;
}

/** This account's open order with this id, from the writer's memory. */
function openOrderOf(state: TradingState, accountId: string, id: string): OrderRecord | null {
  const open = /^\d{1,15}$/.test(id) ? state.open.get(Number(id)) : undefined;
  return open && open.accountId === accountId ? open : null;
}

/** A new order, or the one this account placed earlier with the same clientOrderId. */
type Placement = { kind: 'placed'; order: OrderView } | { kind: 'earlier'; id: number };

@Injectable()
export class OrdersService {
  constructor(
    @Inject(OrderWriter) private readonly writer: OrderWriter,
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(ClustersService) private readonly clusters: ClustersService,
  ) {}

  /** Places an order; `created` is false when the clientOrderId named an order this account already placed. */
  async place(principal: Principal, dto: PlaceOrderDto): Promise<Placed> {
    return (await this.stagePlace(principal, dto)).result;
  }

  /**
   * Runs the checks that read the database, then queues the order with the writer and returns at once; `result`
   * settles when the order is committed (or refused). A connection that stages its orders one after the other
   * gets them to the writer in that order without waiting for each commit (pipelining).
   */
  async stagePlace(principal: Principal, dto: PlaceOrderDto): Promise<{ result: Promise<Placed> }> {
    const accountId = accountOf(principal);
    const needed = dto.side === 'buy' ? 'trade' : 'sell';
    if (!principal.scopes.includes(needed) && !principal.scopes.includes('admin')) {
      throw new DomainError('FORBIDDEN', `${dto.side} orders need the ${needed} scope`);
    }
    if (dto.clientOrderId) {
      const existing = await this.orders.findByClientOrderId(accountId, dto.clientOrderId);
      if (existing) return { result: Promise.resolve({ order: orderView(existing), created: false }) };
    }
    if (dto.side === 'buy' && dto.clusterId !== undefined) {
      throw new DomainError('INVALID_REQUEST', 'clusterId is for sell orders');
    }
    await this.clusters.load();
    const cluster = dto.side === 'sell' ? this.clusters.owned(accountId, dto.clusterId) : null;
    const trader = { accountId, engineAccountId: principal.engineAccountId as number };
    const outcome = this.writer.submit((state, batch, now): Placement => {
      const key = dto.clientOrderId ? `${accountId}:${dto.clientOrderId}` : null;
      const earlier = key === null ? undefined : state.clientOrderIds.get(key);
      if (earlier !== undefined) return { kind: 'earlier', id: earlier };
      return { kind: 'placed', order: orderView(placeOrder(state, batch, trader, dto, cluster, now)) };
    });
    const result = outcome.then(async (placed): Promise<Placed> => {
      if (placed.kind === 'placed') return { order: placed.order, created: true };
      return { order: orderView(await this.get(accountId, String(placed.id))), created: false };
    });
    return { result };
  }

  /** Open orders are found in the writer's memory; only a refusal (not found, not open) reads the database. */
  async cancel(principal: Principal, id: string): Promise<OrderView> {
    const accountId = accountOf(principal);
    const cancelled = await this.writer.submit((state, batch, now) => {
      const open = openOrderOf(state, accountId, id);
      return open ? orderView(cancelOrder(state, batch, open, now)) : null;
    });
    return cancelled ?? this.refuseNotOpen(accountId, id);
  }

  async amend(principal: Principal, id: string, change: AmendOrderDto): Promise<OrderView> {
    const accountId = accountOf(principal);
    if (change.quantity === undefined && change.price === undefined) {
      throw new DomainError('INVALID_REQUEST', 'send a quantity, a price, or both');
    }
    await this.clusters.load();
    const amended = await this.writer.submit((state, batch, now) => {
      const open = openOrderOf(state, accountId, id);
      if (!open) return null;
      const cluster = open.clusterId ? this.clusters.owned(accountId, open.clusterId) : null;
      return orderView(amendOrder(state, batch, open, change, cluster, now));
    });
    return amended ?? this.refuseNotOpen(accountId, id);
  }

  /** NOT_FOUND, or ORDER_NOT_OPEN with the order's status. */
  private async refuseNotOpen(accountId: string, id: string): Promise<never> {
    const order = await this.get(accountId, id);
    throw new DomainError('ORDER_NOT_OPEN', `order ${id} is ${order.status}`);
  }

  async cancelAll(principal: Principal, symbol: string | null): Promise<OrderView[]> {
    const accountId = accountOf(principal);
    const trader = { accountId, engineAccountId: principal.engineAccountId as number };
    return this.writer.submit((state, batch, now) =>
      cancelAllOrders(state, batch, trader, symbol, now).map(orderView),
    );
  }

  /** The id of this account's order with this clientOrderId, or NOT_FOUND. */
  async idOfClientOrder(principal: Principal, clientOrderId: string): Promise<string> {
    const order = await this.orders.findByClientOrderId(accountOf(principal), clientOrderId);
    if (!order) throw new DomainError('NOT_FOUND', `no order with clientOrderId ${clientOrderId}`);
    return String(order.id);
  }

  async one(principal: Principal, id: string): Promise<OrderView> {
    return orderView(await this.get(accountOf(principal), id));
  }

  async list(principal: Principal, status: OrderStatus | null, symbol: string | null, limit: number) {
    return (await this.orders.list(accountOf(principal), status, symbol, limit)).map(orderView);
  }

  async fills(principal: Principal, limit: number) {
    const accountId = accountOf(principal);
    return (await this.orders.fills(accountId, limit)).map((t) => fillView(t, accountId));
  }

  /** This account's order, or NOT_FOUND (another account's order is not found either). */
  private async get(accountId: string, id: string): Promise<OrderRecord> {
    const order = await this.orders.findOne(id);
    if (!order || order.accountId !== accountId) throw new DomainError('NOT_FOUND', `no order ${id}`);
    return order;
  }
}
