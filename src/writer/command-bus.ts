import { DomainError } from '../common/domain-error';
import type { LeaderElection } from '../leadership/leader-election';
import type { CommandForwarder } from './command-forwarder';
import type { TradingCommand } from '../trading/commands';
import type { ResultOf } from '../trading/results';
import type { TradingWriter } from './trading-writer';

/**
 * Where every service sends the commands that change trading state, on any node: the leader's own writer, or,
 * on a follower, the leader's writer through the forwarder. Either way it resolves once the command is committed.
 */
export class CommandBus {
  constructor(
    private readonly writer: TradingWriter,
    private readonly election: LeaderElection,
    private readonly forwarder: CommandForwarder,
  ) {}

  submit<C extends TradingCommand>(command: C): Promise<ResultOf[C['kind']]> {
    if (this.election.writing) return this.writer.submit(command);
    if (this.election.isLeader) {
      return Promise.reject(
        new DomainError(
          'UNAVAILABLE',
          'this node is taking over as leader; nothing was changed, retry shortly',
        ),
      );
    }
    return this.forwarder.forward(command);
  }
}
