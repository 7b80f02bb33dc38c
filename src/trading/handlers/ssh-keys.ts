import { unsafeText } from '../../common/safe-input';
import type { SetSshKeyCommand } from '../commands';
import { NOTHING, Outcome, refuse } from '../results';
import type { TradingState } from '../state/trading-state';
import type { CommandContext } from './context';

const MAX_KEY_LENGTH = 8192;

/** Sets (or removes) the key sent with the leases provisioned for this buyer from now on. */
export function setSshKey(
  state: TradingState,
  ctx: CommandContext,
  cmd: SetSshKeyCommand,
): Outcome<'setSshKey'> {
  if (cmd.key !== null) {
    const problem = unsafeText(cmd.key);
    if (problem || cmd.key.length > MAX_KEY_LENGTH)
      return refuse('INVALID_REQUEST', `sshPublicKey ${problem ?? `is longer than ${MAX_KEY_LENGTH}`}`);
  }
  state.sshKeys.set(cmd.accountId, cmd.key);
  ctx.events.push({ type: 'account.ssh_key_set', accountId: cmd.accountId, key: cmd.key });
  return { ok: true, value: NOTHING };
}
