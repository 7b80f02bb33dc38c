import { WindowCounter } from '../common/window-counter';
import type { WsLimits } from '../config/app-config';

/** How a WebSocket connection that broke a limit is closed (PROTOCOL.md: a close frame with a reason). */
export const CLOSE = {
  tooSlow: 4008,
  tooMuchQueued: 4009,
  tooManyMessages: 4029,
  tooManyConnections: 4030,
  tooManyFailedSignIns: 4031,
  keyEnded: 4401,
} as const;

const FIVE_MINUTES = 5 * 60_000;

/** Connections per client address (open at once, and opened in 5 minutes) and per API key (signed in at once). */
export class ConnectionLimits {
  private readonly openByAddress = new Map<string, number>();
  private readonly openedByAddress: WindowCounter;
  private readonly signedInByKey = new Map<string, number>();

  constructor(private readonly limits: WsLimits) {
    this.openedByAddress = new WindowCounter(limits.newConnectionsPerAddress, FIVE_MINUTES);
  }

  /** Counts a new connection from `address`; the reason it must be closed, or null. */
  admit(address: string, now: number): string | null {
    const open = this.openByAddress.get(address) ?? 0;
    if (open >= this.limits.connectionsPerAddress) {
      return `more than ${this.limits.connectionsPerAddress} connections from one address`;
    }
    if (!this.openedByAddress.hit(address, now)) {
      return `more than ${this.limits.newConnectionsPerAddress} new connections from one address in 5 minutes`;
    }
    this.openByAddress.set(address, open + 1);
    return null;
  }

  /** A connection `admit` counted has closed. */
  left(address: string): void {
    const open = (this.openByAddress.get(address) ?? 1) - 1;
    if (open > 0) this.openByAddress.set(address, open);
    else this.openByAddress.delete(address);
  }

  /** Counts a connection signed in with `keyId`; false (and nothing counted) when the key has its limit. */
  signIn(keyId: string): boolean {
    const open = this.signedInByKey.get(keyId) ?? 0;
    if (open >= this.limits.connectionsPerKey) return false;
    this.signedInByKey.set(keyId, open + 1);
    return true;
  }

  signOut(keyId: string): void {
    const open = (this.signedInByKey.get(keyId) ?? 1) - 1;
    if (open > 0) this.signedInByKey.set(keyId, open);
    else this.signedInByKey.delete(keyId);
  }
}
