import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import { CLOSE } from './connection-limits';

/** Above this many bytes waiting in a client's send buffer, the client is too slow and is disconnected. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** The longest a Node.js timer waits (about 24.8 days); a later expiry is waited for in steps of this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One WebSocket connection: who it is, what it listens to, and how fast it talks. */
export class WsSession {
  /** Set by `signIn`. */
  principal: Principal | null = null;
  /** Set by `auth` with `cancelOnDisconnect: true`: the orders placed from then on are cancelled when it drops. */
  cancelOnDisconnect = false;
  /** Orders placed over this connection under cancelOnDisconnect, with the principal that placed each. */
  readonly placedToCancel = new Map<string, Principal>();
  /** `book:<symbol>`, `trades:<symbol>`, `orders`, `fills`, `leases`. */
  readonly channels = new Set<string>();
  /** Frames of one connection are handled one after the other, in the order they came. */
  pending: Promise<void> = Promise.resolve();
  /** Orders queued with the writer whose commit has not answered yet (placing is pipelined). */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Bytes of the frames received and not yet handled. */
  queuedBytes = 0;
  /** `auth` requests that failed on this connection. */
  failedSignIns = 0;
  private windowStart = 0;
  private messagesInWindow = 0;
  private corked = false;
  private expiryTimer: NodeJS.Timeout | undefined;

  /** `transport` is the TCP connection under the WebSocket: writes to it are gathered per turn of the event loop. */
  constructor(
    readonly socket: WebSocket,
    private readonly transport: Socket | null,
    /** The client's address, as API key allowlists and per-address limits see it (see `clientAddress`). */
    readonly address: string | undefined,
  ) {}

  /** Signs the connection in (or again, as another key): it closes when that key expires. */
  signIn(principal: Principal): void {
    this.principal = principal;
    this.closeAt(principal.expiresAt);
  }

  /** Stops the expiry timer (the connection closed). */
  ended(): void {
    clearTimeout(this.expiryTimer);
  }

  private closeAt(expiresAt: number | null): void {
    clearTimeout(this.expiryTimer);
    if (expiresAt === null) return;
    const wait = Math.max(0, expiresAt - Date.now());
    this.expiryTimer = setTimeout(
      () =>
        wait > MAX_TIMER_MS ? this.closeAt(expiresAt) : this.socket.close(CLOSE.keyEnded, 'API key expired'),
      Math.min(wait, MAX_TIMER_MS),
    );
    this.expiryTimer.unref();
  }

  track(result: Promise<unknown>): void {
    this.inFlight.add(result);
    const forget = () => this.inFlight.delete(result);
    result.then(forget, forget);
  }

  /** Resolves once every order this connection queued has been answered. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(message: unknown): void {
    this.sendText(JSON.stringify(message));
  }

  /** Sends an already serialized message (fan-out serializes once for every subscriber), unless the client cannot
   * keep up, in which case it is disconnected with a reason. */
  sendText(text: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.close(CLOSE.tooSlow, 'too slow: send buffer full');
      return;
    }
    this.gatherWrites();
    this.socket.send(text);
  }

  /**
   * Holds this connection's writes until the current tick's work is done, so the messages one batch produces
   * for a client (acks, updates, private events) leave in one write system call instead of one each.
   */
  private gatherWrites(): void {
    if (this.corked || !this.transport) return;
    this.corked = true;
    this.transport.cork();
    process.nextTick(() => {
      this.corked = false;
      this.transport?.uncork();
    });
  }

  /**
   * Counts a frame as it arrives (before it waits its turn): how far over the per-second limit the client is
   * (0 = within), and the frame's bytes as queued until `handled`.
   */
  arrived(bytes: number, limitPerSecond: number, now: number): number {
    this.queuedBytes += bytes;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.messagesInWindow = 0;
    }
    this.messagesInWindow++;
    return Math.max(0, this.messagesInWindow - limitPerSecond);
  }

  handled(bytes: number): void {
    this.queuedBytes -= bytes;
  }

  symbolsFor(channel: string): string[] {
    const prefix = `${channel}:`;
    return [...this.channels].filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length));
  }
}
