import { LocalBook } from '../book/local-book';
import { ExchangeError, type ErrorCode } from '../errors';
import { Emitter } from './emitter';
import type {
  AmendOrder,
  BookSnapshot,
  BookUpdate,
  Fill,
  HeartbeatMessage,
  Lease,
  Order,
  PlaceOrder,
  PrivateChannel,
  PublicChannel,
  ServerFrame,
  TickerMessage,
  TradeMessage,
} from './messages';
import { WebSocketClass } from './node-websocket';

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ExchangeSocketOptions {
  /** The exchange (`http://127.0.0.1:8080`) or its WebSocket (`ws://127.0.0.1:8080/v1/ws`). */
  url: string;
  /** Signs every connection in with this key, before it subscribes to anything. */
  apiKey?: string;
  /** The exchange cancels this connection's open orders when it drops (PROTOCOL.md's `auth`). */
  cancelOnDisconnect?: boolean;
  /** Reconnects after a drop (default true), after a delay that doubles from `minReconnectDelayMs`. */
  reconnect?: boolean;
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How often to ping (default 10 s); a connection silent for `silenceTimeoutMs` (default 25 s) is dropped. */
  pingIntervalMs?: number;
  silenceTimeoutMs?: number;
  /**
   * Gives every place without a `clientOrderId` one (default true), so that a place whose answer was lost can be
   * retried without placing it twice. The exchange checks each clientOrderId against the account's earlier orders.
   */
  assignClientOrderIds?: boolean;
  /** How long a request may wait for a connection and its answer (default 10 s). */
  requestTimeoutMs?: number;
  /** Another WebSocket class (by default `ws` in Node, the browser's own in a bundle). */
  WebSocket?: typeof globalThis.WebSocket;
}

export interface ExchangeSocketEvents {
  state: [state: SocketState, detail: { retryInMs?: number; reason?: string }];
  authenticated: [accountId: string];
  /** The book after a snapshot or an update that checked out (sequence and checksum). */
  book: [symbol: string, book: LocalBook];
  /** A gap in the sequence or a checksum mismatch: the subscription starts over with a fresh snapshot. */
  resync: [symbol: string, reason: 'gap' | 'checksum'];
  trade: [trade: TradeMessage];
  ticker: [ticker: TickerMessage];
  heartbeat: [heartbeat: HeartbeatMessage];
  order: [order: Order];
  fill: [fill: Fill];
  lease: [lease: Lease];
  /** A refusal that answers no request of this client (a subscription refused, a failed sign-in). */
  error: [error: ExchangeError];
}

interface Pending {
  resolve: (reply: ServerFrame) => void;
  reject: (error: ExchangeError) => void;
  timer?: ReturnType<typeof setTimeout>;
  /** A command (it may have taken effect when its answer is lost). */
  command: boolean;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: ExchangeError) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: ExchangeError) => void;
  const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const OPEN = 1;

/** `http(s)://host` becomes `ws(s)://host/v1/ws`; a WebSocket URL with a path is kept. */
export function webSocketUrl(url: string): string {
  const parsed = new URL(url);
  parsed.protocol = parsed.protocol.replace(/^http/, 'ws');
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/v1/ws';
  return parsed.toString();
}

const randomId = (): string =>
  globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;

/**
 * A connection to `/v1/ws` that stays up. It reconnects with backoff and jitter, signs in again and subscribes
 * again to everything; it pings, and drops a connection that went silent. Commands are promises matched by
 * `requestId`, queued while the connection is down. Each book subscription keeps a `LocalBook` that checks every
 * update's sequence and checksum, and starts over from a fresh snapshot on a gap or a mismatch.
 */
export class ExchangeSocket extends Emitter<ExchangeSocketEvents> {
  private readonly options: Required<Omit<ExchangeSocketOptions, 'apiKey'>> & { apiKey?: string };
  private socket: WebSocket | null = null;
  private current: SocketState = 'closed';
  private stopped = true;
  private attempt = 0;
  private nextRequest = 1;
  private lastHeard = 0;
  private ready = deferred();
  private authError: ExchangeError | null = null;
  private pinger: ReturnType<typeof setInterval> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new Map<string, Pending>();
  /** `book:SYMBOL`, `trades:SYMBOL`, `ticker:SYMBOL`, `orders`…: what every connection subscribes to. */
  private readonly subscriptions = new Set<string>();
  private readonly books = new Map<string, { book: LocalBook; synced: boolean }>();

  constructor(options: ExchangeSocketOptions) {
    super();
    this.options = {
      cancelOnDisconnect: false,
      reconnect: true,
      minReconnectDelayMs: 250,
      maxReconnectDelayMs: 10_000,
      pingIntervalMs: 10_000,
      silenceTimeoutMs: 25_000,
      requestTimeoutMs: 10_000,
      assignClientOrderIds: true,
      WebSocket: WebSocketClass,
      ...options,
      url: webSocketUrl(options.url),
    };
  }

  get state(): SocketState {
    return this.current;
  }

  /** Opens the connection; resolves once it is open and signed in (rejects when the key is refused). */
  async connect(): Promise<void> {
    if (this.stopped) {
      this.stopped = false;
      this.open();
    }
    await this.ready.promise;
    if (this.authError) throw this.authError;
  }

  /** Closes for good: no reconnection, and what still waits for an answer fails with `NETWORK`. */
  close(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.ready.reject(new ExchangeError('NETWORK', 'the client was closed'));
    this.disconnected('closed by the client');
  }

  /** Signs this connection (and every reconnection) in with a key; rejects when the key is refused. */
  async signIn(apiKey: string, { cancelOnDisconnect = false } = {}): Promise<string> {
    this.options.apiKey = apiKey;
    this.options.cancelOnDisconnect = cancelOnDisconnect;
    const reply = await this.request({ op: 'auth', apiKey, cancelOnDisconnect }, false);
    this.emit('authenticated', String(reply.accountId));
    return String(reply.accountId);
  }

  /** Forgets the key: the private subscriptions end, and the connection starts over signed out. */
  signOut(): void {
    this.options.apiKey = undefined;
    for (const channel of ['orders', 'fills', 'leases']) this.subscriptions.delete(channel);
    if (!this.stopped) this.disconnected('signed out');
  }

  /** Subscribes now and after every reconnection; returns how to unsubscribe. */
  subscribe(channel: PublicChannel, symbol: string): () => void;
  subscribe(channel: PrivateChannel): () => void;
  subscribe(channel: PublicChannel | PrivateChannel, symbol?: string): () => void {
    const key = symbol === undefined ? channel : `${channel}:${symbol}`;
    if (!this.subscriptions.has(key)) {
      this.subscriptions.add(key);
      if (channel === 'book') this.books.set(symbol as string, { book: new LocalBook(), synced: false });
      this.send({ op: 'subscribe', channel, symbol });
    }
    return () => {
      if (!this.subscriptions.delete(key)) return;
      if (channel === 'book') this.books.delete(symbol as string);
      this.send({ op: 'unsubscribe', channel, symbol });
    };
  }

  /** A subscribed market's book while it is in step with the exchange (undefined while it resyncs). */
  book(symbol: string): LocalBook | undefined {
    const entry = this.books.get(symbol);
    return entry?.synced ? entry.book : undefined;
  }

  /**
   * Places an order (the body of `POST /v1/orders`). Without a `clientOrderId` it gets one (unless
   * `assignClientOrderIds` is false), so that a place whose answer was lost (`OUTCOME_UNKNOWN`, `TIMEOUT`) can be
   * retried with the same id and never placed twice.
   */
  place(order: PlaceOrder): Promise<Order> {
    const assign = this.options.assignClientOrderIds && order.clientOrderId === undefined;
    const withId = assign ? { ...order, clientOrderId: randomId() } : order;
    return this.command({ op: 'place', order: withId }, (reply) => reply.order as Order);
  }

  cancel(target: { orderId: string } | { clientOrderId: string }): Promise<Order> {
    return this.command({ op: 'cancel', ...target }, (reply) => reply.order as Order);
  }

  amend(orderId: string, change: AmendOrder): Promise<Order> {
    return this.command({ op: 'amend', orderId, ...change }, (reply) => reply.order as Order);
  }

  /** Cancels every open order of the account (in one market with `symbol`); resolves with those cancelled. */
  cancelAll(symbol?: string): Promise<Order[]> {
    return this.command({ op: 'cancelAll', symbol }, (reply) => reply.orders as Order[]);
  }

  /** A round trip to the exchange. */
  async ping(): Promise<void> {
    await this.request({ op: 'ping' }, false);
  }

  private command<T>(frame: Record<string, unknown>, pick: (reply: ServerFrame) => T): Promise<T> {
    return this.request(frame, true).then(pick);
  }

  private async request(frame: Record<string, unknown>, command: boolean): Promise<ServerFrame> {
    const deadline = Date.now() + this.options.requestTimeoutMs;
    while (this.socket?.readyState !== OPEN || this.current !== 'open') {
      if (this.stopped) throw new ExchangeError('NETWORK', 'the client is not connected (call connect())');
      if (Date.now() >= deadline) throw new ExchangeError('TIMEOUT', 'no connection to the exchange in time');
      await within(this.ready.promise, deadline, 'no connection to the exchange in time');
    }
    const requestId = `r${this.nextRequest++}`;
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(
          new ExchangeError(
            'TIMEOUT',
            command ? 'no answer in time: the command may or may not have taken effect' : 'no answer in time',
          ),
        );
      }, deadline - Date.now());
      this.pending.set(requestId, { resolve, reject, timer, command });
      this.send({ ...frame, requestId });
    });
  }

  private send(frame: Record<string, unknown>): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private setState(state: SocketState, detail: { retryInMs?: number; reason?: string } = {}): void {
    this.current = state;
    this.emit('state', state, detail);
  }

  private open(): void {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new this.options.WebSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => this.opened();
    socket.onmessage = (event: MessageEvent) => {
      this.lastHeard = Date.now();
      this.receive(JSON.parse(String(event.data)) as ServerFrame);
    };
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.socket === socket) this.disconnected(event.reason || `closed (${event.code})`);
    };
    socket.onerror = () => undefined; // a close follows
  }

  private opened(): void {
    this.attempt = 0;
    this.lastHeard = Date.now();
    this.pinger = setInterval(() => this.keepAlive(), Math.min(this.options.pingIntervalMs, 1000));
    for (const entry of this.books.values()) entry.synced = false;
    const subscribeAll = () => {
      for (const key of this.subscriptions) {
        const [channel, symbol] = key.split(':');
        this.send({ op: 'subscribe', channel, symbol });
      }
    };
    if (!this.options.apiKey) {
      subscribeAll();
      return this.becameReady();
    }
    const requestId = `auth${this.nextRequest++}`;
    const settle = (error: ExchangeError | null) => {
      this.authError = error;
      if (error) this.emit('error', error);
      this.becameReady();
    };
    this.pending.set(requestId, {
      command: false,
      resolve: (reply) => {
        this.emit('authenticated', String(reply.accountId));
        settle(null);
      },
      // A drop before the answer is no verdict on the key: the next connection signs in again.
      reject: (error) => error.code !== 'NETWORK' && settle(error),
    });
    this.send({
      op: 'auth',
      apiKey: this.options.apiKey,
      cancelOnDisconnect: this.options.cancelOnDisconnect,
      requestId,
    });
    // Frames are handled in order: the private subscriptions that follow find the connection signed in.
    subscribeAll();
  }

  private becameReady(): void {
    this.setState('open');
    this.ready.resolve();
  }

  private keepAlive(): void {
    const silentFor = Date.now() - this.lastHeard;
    if (silentFor > this.options.silenceTimeoutMs) {
      this.disconnected(`nothing heard for ${silentFor} ms`);
      return;
    }
    if (silentFor >= this.options.pingIntervalMs) this.send({ op: 'ping' });
  }

  private disconnected(reason: string): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close();
    }
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
    for (const [requestId, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      this.pending.delete(requestId);
      waiter.reject(
        waiter.command
          ? new ExchangeError(
              'OUTCOME_UNKNOWN',
              `the connection dropped before the answer (${reason}): the command may or may not have taken effect`,
            )
          : new ExchangeError('NETWORK', `the connection dropped (${reason})`),
      );
    }
    if (this.current === 'open') this.ready = deferred();
    if (this.stopped || !this.options.reconnect) {
      this.stopped = true;
      this.ready.reject(new ExchangeError('NETWORK', `the connection closed (${reason})`));
      this.setState('closed', { reason });
      return;
    }
    const ceiling = Math.min(
      this.options.maxReconnectDelayMs,
      this.options.minReconnectDelayMs * 2 ** this.attempt,
    );
    const retryInMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.attempt++;
    this.setState('reconnecting', { retryInMs, reason });
    this.retry = setTimeout(() => this.open(), retryInMs);
  }

  private receive(frame: ServerFrame): void {
    const waiter = frame.requestId === undefined ? undefined : this.pending.get(frame.requestId);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.pending.delete(frame.requestId as string);
      if (frame.type === 'error')
        waiter.reject(new ExchangeError(frame.code as ErrorCode, String(frame.message)));
      else waiter.resolve(frame);
      return;
    }
    if (frame.type === 'error') {
      this.emit('error', new ExchangeError(frame.code as ErrorCode, String(frame.message)));
      return;
    }
    switch (frame.channel) {
      case 'book':
        return this.onBook(frame as unknown as BookSnapshot | BookUpdate);
      case 'heartbeat':
        return this.onHeartbeat(frame as unknown as HeartbeatMessage);
      case 'trades':
        if (frame.type !== 'subscribed') this.emit('trade', frame as unknown as TradeMessage);
        return;
      case 'ticker':
        if (frame.type !== 'subscribed') this.emit('ticker', frame as unknown as TickerMessage);
        return;
      case 'orders':
        if (frame.order) this.emit('order', frame.order as Order);
        return;
      case 'fills':
        if (frame.fill) this.emit('fill', frame.fill as Fill);
        return;
      case 'leases':
        if (frame.lease) this.emit('lease', frame.lease as Lease);
        return;
    }
  }

  private onBook(message: BookSnapshot | BookUpdate): void {
    const entry = this.books.get(message.symbol);
    if (!entry) return;
    if (message.type === 'snapshot') {
      const check = entry.book.snapshot(message.sequence, message.bids, message.asks, message.checksum);
      if (check !== 'ok') return this.resync(message.symbol, check);
      entry.synced = true;
    } else if (message.type === 'update') {
      // Updates still in flight from before a resync are not the new subscription's.
      if (!entry.synced) return;
      const check = entry.book.update(message.sequence, message.changes, message.checksum);
      if (check !== 'ok') return this.resync(message.symbol, check);
    } else return;
    this.emit('book', message.symbol, entry.book);
  }

  private onHeartbeat(heartbeat: HeartbeatMessage): void {
    this.emit('heartbeat', heartbeat);
    const entry = this.books.get(heartbeat.symbol);
    if (entry?.synced && entry.book.heartbeat(heartbeat.sequence) !== 'ok')
      this.resync(heartbeat.symbol, 'gap');
  }

  private resync(symbol: string, reason: 'gap' | 'checksum'): void {
    const entry = this.books.get(symbol);
    if (entry) entry.synced = false;
    this.emit('resync', symbol, reason);
    this.send({ op: 'unsubscribe', channel: 'book', symbol });
    this.send({ op: 'subscribe', channel: 'book', symbol });
  }
}

/** The promise, or a `TIMEOUT` at the deadline. */
function within(promise: Promise<void>, deadline: number, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ExchangeError('TIMEOUT', message)),
      Math.max(0, deadline - Date.now()),
    );
    promise.then(
      () => (clearTimeout(timer), resolve()),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}
