import { Inject, Injectable } from '@nestjs/common';
import { accountOf } from '../accounts/accounts.controller';
import { Principal } from '../auth/principal';
import { ClustersService } from '../clusters/clusters.service';
import { DomainError } from '../common/domain-error';
import type { NewOrder } from '../trading/commands';
import type { Side } from '../engine/types';
import type { OrderStatus, Trader } from '../trading/types';
import { OrderView, orderView } from '../trading/views/order-view';
import { Metrics } from '../metrics/metrics';
import { CommandBus } from '../writer/command-bus';
import { AmendOrderDto } from './dto/amend-order.dto';
import { PlaceOrderDto } from './dto/place-order.dto';
import { fillView } from './fill-view';
import { OrdersRepository } from './orders.repository';
import { priceToUnits } from './price-units';

export interface Placed {
  order: OrderView;
  created: boolean;
}

const parseTime = (iso: string | undefined): number | null => (iso === undefined ? null : Date.parse(iso));
const ORDER_ID = /^\d{1,15}$/;

/**
 * The sides of the book a key may act on, for every order operation over REST and WebSocket alike: `trade`
 * places, amends and cancels buys, `sell` sells (`admin` both). The core checks amends and cancels against the
 * order's side.
 */
export function sidesOf(principal: Principal): Side[] {
  const admin = principal.scopes.includes('admin');
  return [
    ...(admin || principal.scopes.includes('trade') ? (['buy'] as const) : []),
    ...(admin || principal.scopes.includes('sell') ? (['sell'] as const) : []),
  ];
}

/** A new order as the trading core takes it: prices in engine units, times in ms. */
function newOrder(dto: PlaceOrderDto): NewOrder {
  return {
    clientOrderId: dto.clientOrderId ?? null,
    symbol: dto.symbol,
    side: dto.side,
    type: dto.type,
    price: dto.type === 'limit' || dto.price !== undefined ? priceToUnits(dto.price) : null,
    quantity: dto.quantity,
    durationHours: dto.durationHours ?? null,
    availableUntil: parseTime(dto.availableUntil),
    minQuantity: dto.minQuantity ?? null,
    timeInForce: dto.timeInForce ?? null,
    expireAt: parseTime(dto.expireAt),
    postOnly: dto.postOnly ?? false,
    selfTradePrevention: dto.selfTradePrevention ?? null,
  };
}

/** Builds order commands for the single writer, and reads orders as committed. */
@Injectable()
export class OrdersService {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(ClustersService) private readonly clusters: ClustersService,
    @Inject(Metrics) private readonly metrics: Metrics,
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
    const counted = (error: unknown): never => {
      this.metrics.orderOutcome(error instanceof DomainError ? error.code : 'INTERNAL_ERROR');
      throw error;
    };
    const { result } = await this.stage(principal, dto).catch(counted);
    return {
      result: result.then((placed) => {
        this.metrics.orderOutcome('accepted');
        return placed;
      }, counted),
    };
  }

  private async stage(principal: Principal, dto: PlaceOrderDto): Promise<{ result: Promise<Placed> }> {
    const accountId = accountOf(principal);
    if (!sidesOf(principal).includes(dto.side)) {
      throw new DomainError(
        'FORBIDDEN',
        `${dto.side} orders need the ${dto.side === 'buy' ? 'trade' : 'sell'} scope`,
      );
    }
    if (dto.clientOrderId) {
      const existing = await this.orders.findByClientOrderId(accountId, dto.clientOrderId);
      if (existing) return { result: Promise.resolve({ order: orderView(existing), created: false }) };
    }
    if (dto.side === 'buy' && dto.clusterId !== undefined) {
      throw new DomainError('INVALID_REQUEST', 'clusterId is for sell orders');
    }
    const order = newOrder(dto);
    const cluster =
      dto.side === 'sell' ? (await this.clusters.load()).offering(accountId, dto.clusterId) : null;
    const outcome = this.commands.submit({ kind: 'place', trader: this.trader(principal), order, cluster });
    const result = outcome.then(async (placed): Promise<Placed> => {
      if ('order' in placed) return { order: orderView(placed.order), created: true };
      return { order: orderView(await this.get(accountId, String(placed.earlierOrderId))), created: false };
    });
    return { result };
  }

  /** Open orders are found in the writer's memory; only a refusal (not found, not open) reads the database. */
  async cancel(principal: Principal, id: string): Promise<OrderView> {
    const accountId = accountOf(principal);
    if (!ORDER_ID.test(id)) return this.refuseNotOpen(accountId, id);
    try {
      const sides = sidesOf(principal);
      return orderView(
        (await this.commands.submit({ kind: 'cancel', accountId, orderId: Number(id), sides })).order,
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ORDER_NOT_OPEN')
        return this.refuseNotOpen(accountId, id);
      throw error;
    }
  }

  async amend(principal: Principal, id: string, change: AmendOrderDto): Promise<OrderView> {
    const accountId = accountOf(principal);
    if (change.quantity === undefined && change.price === undefined) {
      throw new DomainError('INVALID_REQUEST', 'send a quantity, a price, or both');
    }
    if (!ORDER_ID.test(id)) return this.refuseNotOpen(accountId, id);
    const price = change.price === undefined ? null : priceToUnits(change.price);
    try {
      const { order } = await this.commands.submit({
        kind: 'amend',
        accountId,
        orderId: Number(id),
        quantity: change.quantity ?? null,
        price,
        sides: sidesOf(principal),
      });
      return orderView(order);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ORDER_NOT_OPEN')
        return this.refuseNotOpen(accountId, id);
      throw error;
    }
  }

  async cancelAll(principal: Principal, symbol: string | null): Promise<OrderView[]> {
    const { orders } = await this.commands.submit({
      kind: 'cancelAll',
      trader: this.trader(principal),
      symbol,
      sides: sidesOf(principal),
    });
    return orders.map(orderView);
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

  private trader(principal: Principal): Trader {
    return { accountId: accountOf(principal), engineAccountId: principal.engineAccountId as number };
  }

  /** NOT_FOUND, or ORDER_NOT_OPEN with the order's status. */
  private async refuseNotOpen(accountId: string, id: string): Promise<never> {
    const order = await this.get(accountId, id);
    throw new DomainError('ORDER_NOT_OPEN', `order ${id} is ${order.status}`);
  }

  /** This account's order, or NOT_FOUND (another account's order is not found either). */
  private async get(accountId: string, id: string) {
    const order = await this.orders.findOne(id);
    if (!order || order.accountId !== accountId) throw new DomainError('NOT_FOUND', `no order ${id}`);
    return order;
  }
}
