import type { TradingCommand } from './commands';
import type { TradingEvent } from './events';
import type { CommandContext } from './handlers/context';
import { deposit } from './handlers/funds';
import { activate, fail, interrupt, lose, release, verify } from './handlers/lease-commands';
import { addMarket } from './handlers/markets';
import { amendOrder, cancelAllOrders, cancelOrder, placeOrder } from './handlers/orders';
import { setSshKey } from './handlers/ssh-keys';
import { tick } from './handlers/time';
import type { IdGenerator } from './ids';
import type { Outcome } from './results';
import { tradingStateHash } from './state-hash';
import type { TradingState } from './state/trading-state';
import type { ProvisioningPolicy } from './types';

/** What one command did: its answer, and its events in the order they happened (none when it was refused). */
export interface Execution<K extends TradingCommand['kind'] = TradingCommand['kind']> {
  readonly outcome: Outcome<K>;
  readonly events: readonly TradingEvent[];
}

/**
 * The trading core: commands in, events out. Pure and deterministic (no clock, no I/O, no randomness): time
 * arrives with each command and ids come from the injected generator, so the same commands from the same state
 * give the same events and the same state hash. A refused command changes nothing (every check runs before any
 * change); an exception is a bug, and the state may then be half-changed: the caller must rebuild it.
 */
export class TradingCore {
  constructor(
    readonly state: TradingState,
    private readonly ids: IdGenerator,
    private readonly provisioning: ProvisioningPolicy,
  ) {}

  execute<C extends TradingCommand>(command: C, now: number): Execution<C['kind']> {
    const ctx: CommandContext = { now, ids: this.ids, provisioning: this.provisioning, events: [] };
    const outcome = this.run(command, ctx) as Outcome<C['kind']>;
    if (!outcome.ok && ctx.events.length > 0)
      throw new Error(`a refused ${command.kind} produced events: the handler changed state before refusing`);
    return { outcome, events: ctx.events };
  }

  stateHash(): string {
    return tradingStateHash(this.state);
  }

  private run(command: TradingCommand, ctx: CommandContext): Outcome {
    const state = this.state;
    switch (command.kind) {
      case 'place':
        return placeOrder(state, ctx, command);
      case 'cancel':
        return cancelOrder(state, ctx, command);
      case 'amend':
        return amendOrder(state, ctx, command);
      case 'cancelAll':
        return cancelAllOrders(state, ctx, command);
      case 'deposit':
        return deposit(state, ctx, command);
      case 'setSshKey':
        return setSshKey(state, ctx, command);
      case 'verifyLease':
        return verify(state, ctx, command);
      case 'activateLease':
        return activate(state, ctx, command);
      case 'failLease':
        return fail(state, ctx, command);
      case 'loseLease':
        return lose(state, ctx, command);
      case 'releaseLease':
        return release(state, ctx, command);
      case 'interruptLease':
        return interrupt(state, ctx, command);
      case 'addMarket':
        return addMarket(state, ctx, command);
      case 'tick':
        return tick(state, ctx);
    }
  }
}
