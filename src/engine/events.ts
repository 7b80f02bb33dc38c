import { Rejection } from './validation';
import {
  Command,
  CommandResult,
  DoneEvent,
  DoneReason,
  DoneStatus,
  EngineEvent,
  RejectedEvent,
  Side,
} from './types';

/** What the event builders read of an order (both books' order shapes have these fields). */
export interface OrderIdentity {
  id: number;
  accountId: number;
  side: Side;
  filled: number;
}

export function done(
  symbol: string,
  order: OrderIdentity,
  status: DoneStatus,
  reason: DoneReason,
  remaining: number,
): DoneEvent {
  return {
    type: 'done',
    symbol,
    orderId: order.id,
    accountId: order.accountId,
    side: order.side,
    status,
    reason,
    filled: order.filled,
    remaining,
  };
}

export function rejected(command: unknown, rejection: Rejection): CommandResult {
  const cmd = (typeof command === 'object' && command !== null ? command : {}) as Partial<
    Record<string, unknown>
  >;
  const kinds: Command['kind'][] = ['place', 'cancel', 'amend', 'cancelAll', 'tick'];
  const event: RejectedEvent = {
    type: 'rejected',
    command: kinds.includes(cmd.kind as Command['kind']) ? (cmd.kind as Command['kind']) : 'unknown',
    symbol: typeof cmd.symbol === 'string' ? cmd.symbol : null,
    orderId: Number.isSafeInteger(cmd.orderId) ? (cmd.orderId as number) : null,
    code: rejection.code,
    message: rejection.message,
  };
  const events: EngineEvent[] = [event];
  return { code: rejection.code, events };
}
