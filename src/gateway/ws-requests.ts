import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { AmendOrderDto } from '../orders/dto/amend-order.dto';
import { PlaceOrderDto } from '../orders/dto/place-order.dto';

export const PUBLIC_CHANNELS = ['book', 'trades', 'ticker'] as const;
export const PRIVATE_CHANNELS = ['orders', 'fills', 'leases'] as const;

/** Every op a client may send (the authorization matrix test tries each one). */
export const WS_OPS = [
  'ping',
  'auth',
  'subscribe',
  'unsubscribe',
  'place',
  'cancel',
  'amend',
  'cancelAll',
] as const;
type WsOp = (typeof WS_OPS)[number];

export type WsRequest =
  | { op: 'ping' }
  | { op: 'auth'; apiKey: string; cancelOnDisconnect: boolean }
  | { op: 'subscribe' | 'unsubscribe'; channel: string; symbol: string | null }
  | { op: 'place'; order: PlaceOrderDto }
  | { op: 'cancel'; orderId: string | null; clientOrderId: string | null }
  | { op: 'amend'; orderId: string; change: AmendOrderDto }
  | { op: 'cancelAll'; symbol: string | null };

const invalid = (message: string): DomainError => new DomainError('INVALID_REQUEST', message);

/** The same checks as the REST edge (a global pipe does not reach gateways, so the gateway runs them itself). */
function dto<T extends object>(type: new () => T, value: unknown, what: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${what} must be an object`);
  const instance = plainToInstance(type, value);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) {
    const messages = errors.flatMap((e) =>
      Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }),
    );
    throw invalid(messages.join('; '));
  }
  return instance;
}

const optionalString = (value: unknown, field: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > 100)
    throw invalid(`${field} must be a string`);
  return value;
};

/** A client frame, parsed and checked; throws a DomainError with the protocol's code otherwise. */
export function parseRequest(raw: Record<string, unknown>): WsRequest {
  if (!WS_OPS.includes(raw.op as WsOp))
    throw invalid(`unknown op ${typeof raw.op === 'string' ? raw.op.slice(0, 40) : String(raw.op)}`);
  const op = raw.op as WsOp;
  switch (op) {
    case 'ping':
      return { op: 'ping' };
    case 'auth':
      if (typeof raw.apiKey !== 'string' || raw.apiKey.length === 0) {
        throw invalid('auth needs an apiKey string');
      }
      if (raw.cancelOnDisconnect !== undefined && typeof raw.cancelOnDisconnect !== 'boolean') {
        throw invalid('cancelOnDisconnect must be a boolean');
      }
      return { op: 'auth', apiKey: raw.apiKey, cancelOnDisconnect: raw.cancelOnDisconnect === true };
    case 'subscribe':
    case 'unsubscribe': {
      const channel = raw.channel;
      if (
        typeof channel !== 'string' ||
        ![...PUBLIC_CHANNELS, ...PRIVATE_CHANNELS].includes(channel as never)
      ) {
        throw invalid(`channel must be one of ${[...PUBLIC_CHANNELS, ...PRIVATE_CHANNELS].join(', ')}`);
      }
      const symbol = optionalString(raw.symbol, 'symbol');
      if (PUBLIC_CHANNELS.includes(channel as never) && symbol === null)
        throw invalid(`${channel} needs a symbol`);
      return { op, channel, symbol };
    }
    case 'place':
      return { op: 'place', order: dto(PlaceOrderDto, raw.order, 'order') };
    case 'cancel': {
      const orderId = optionalString(raw.orderId, 'orderId');
      const clientOrderId = optionalString(raw.clientOrderId, 'clientOrderId');
      if ((orderId === null) === (clientOrderId === null))
        throw invalid('cancel needs an orderId or a clientOrderId');
      return { op: 'cancel', orderId, clientOrderId };
    }
    case 'amend': {
      const orderId = optionalString(raw.orderId, 'orderId');
      if (orderId === null) throw invalid('amend needs an orderId');
      const { quantity, price } = raw;
      return { op: 'amend', orderId, change: dto(AmendOrderDto, { quantity, price }, 'amend') };
    }
    case 'cancelAll':
      return { op: 'cancelAll', symbol: optionalString(raw.symbol, 'symbol') };
    default: {
      const unhandled: never = op; // an op in WS_OPS without a case here does not compile
      throw invalid(`unknown op ${String(unhandled)}`);
    }
  }
}
