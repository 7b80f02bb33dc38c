import type { TradingEvent } from '../events';
import type { IdGenerator } from '../ids';
import type { ProvisioningPolicy } from '../types';

/** What a handler runs with: the command's time, the id source, the exchange's policy, and where events go. */
export interface CommandContext {
  readonly now: number;
  readonly ids: IdGenerator;
  readonly provisioning: ProvisioningPolicy;
  readonly events: TradingEvent[];
}
