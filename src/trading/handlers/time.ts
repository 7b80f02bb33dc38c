import { NOTHING, Outcome } from '../results';
import type { TradingState } from '../state/trading-state';
import type { CommandContext } from './context';
import { applyEngineEvents } from './engine-effects';
import { settleDueLeases } from './leases';

/** Lets time pass: expiries fire in every book, and leases whose time is up end and settle. */
export function tick(state: TradingState, ctx: CommandContext): Outcome<'tick'> {
  applyEngineEvents(state, ctx, state.engine.process({ kind: 'tick', now: ctx.now }).events, null);
  settleDueLeases(state, ctx);
  return { ok: true, value: NOTHING };
}
