import type { AddMarketCommand } from '../commands';
import { NOTHING, Outcome, refuse } from '../results';
import type { TradingState } from '../state/trading-state';
import { engineSpec } from '../state/markets';
import type { CommandContext } from './context';

/** Opens a book for a market an admin added (a market the core has already is left as it is). */
export function addMarket(
  state: TradingState,
  ctx: CommandContext,
  cmd: AddMarketCommand,
): Outcome<'addMarket'> {
  if (state.markets.has(cmd.market.symbol)) return { ok: true, value: NOTHING };
  const problem = state.engine.addMarket(engineSpec(cmd.market));
  if (problem) return refuse(problem.code, problem.message);
  state.markets.add(cmd.market);
  ctx.events.push({ type: 'market.opened', market: cmd.market });
  return { ok: true, value: NOTHING };
}
