import { ApiError } from './api';

export type FeedMessage = Record<string, unknown> & {
  channel?: string;
  symbol?: string;
  type?: string;
  requestId?: string;
};
export type FeedState = 'connecting' | 'live' | 'reconnecting';
type Handler = (message: FeedMessage) => void;

const MAX_RETRY_MS = 5000;

/**
 * One WebSocket to `/v1/ws` that stays up: it reconnects with backoff, then signs in again and subscribes again
 * to everything (each book subscription starts over with a fresh snapshot). Messages are routed by channel and
 * symbol; a book's heartbeats go to its book handler.
 */
export class Feed {
  private socket: WebSocket | null = null;
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<string, { resolve: Handler; reject: (e: Error) => void }>();
  private apiKey: string | null = null;
  private nextId = 1;
  private retryMs = 500;

  constructor(
    private readonly url: string,
    private readonly onState: (state: FeedState, retryInMs?: number) => void,
    private readonly onError: (error: ApiError) => void,
  ) {}

  start(): void {
    this.connect();
  }

  /** Subscribes now (or as soon as connected, and again after every reconnect); returns how to unsubscribe. */
  subscribe(channel: string, symbol: string | null, handler: Handler): () => void {
    const key = keyOf(channel, symbol);
    this.handlers.set(key, handler);
    this.send({ op: 'subscribe', channel, ...(symbol ? { symbol } : {}) });
    return () => {
      if (this.handlers.get(key) !== handler) return;
      this.handlers.delete(key);
      this.send({ op: 'unsubscribe', channel, ...(symbol ? { symbol } : {}) });
    };
  }

  /** Starts a subscription over (after a sequence gap or a checksum mismatch): a fresh snapshot follows. */
  resubscribe(channel: string, symbol: string): void {
    this.send({ op: 'unsubscribe', channel, symbol });
    this.send({ op: 'subscribe', channel, symbol });
  }

  /** Authenticates the connection (and every reconnection) for the private channels. */
  async signIn(apiKey: string): Promise<void> {
    this.apiKey = apiKey;
    if (this.socket?.readyState === WebSocket.OPEN) await this.request({ op: 'auth', apiKey });
  }

  /** Forgets the key: private subscriptions go, and the connection starts over unauthenticated. */
  signOut(): void {
    this.apiKey = null;
    for (const key of [...this.handlers.keys()]) if (key.endsWith(':')) this.handlers.delete(key);
    this.socket?.close();
  }

  request(message: Record<string, unknown>): Promise<FeedMessage> {
    const requestId = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      if (!this.send({ ...message, requestId })) {
        this.pending.delete(requestId);
        reject(new ApiError('NETWORK', 'not connected to the exchange', 0));
      }
    });
  }

  private send(message: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
      this.onState('live');
      // Frames are handled in order: the auth is done before the private subscriptions that follow it.
      if (this.apiKey)
        this.request({ op: 'auth', apiKey: this.apiKey }).catch((e: ApiError) => this.onError(e));
      for (const key of this.handlers.keys()) {
        const [channel, symbol] = key.split(':');
        this.send({ op: 'subscribe', channel, ...(symbol ? { symbol } : {}) });
      }
    };
    socket.onmessage = (event) => this.receive(JSON.parse(String(event.data)) as FeedMessage);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      for (const { reject } of this.pending.values())
        reject(new ApiError('NETWORK', 'the connection dropped', 0));
      this.pending.clear();
      this.onState('reconnecting', this.retryMs);
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    };
  }

  private receive(message: FeedMessage): void {
    const waiter = message.requestId ? this.pending.get(message.requestId) : undefined;
    if (waiter) {
      this.pending.delete(message.requestId as string);
      if (message.type === 'error')
        waiter.reject(new ApiError(String(message.code), String(message.message), 0));
      else waiter.resolve(message);
      return;
    }
    if (message.type === 'error') {
      this.onError(new ApiError(String(message.code), String(message.message), 0));
      return;
    }
    if (!message.channel || message.type === 'subscribed' || message.type === 'unsubscribed') return;
    const channel = message.channel === 'heartbeat' ? 'book' : message.channel;
    this.handlers.get(keyOf(channel, message.symbol ?? null))?.(message);
  }
}

const keyOf = (channel: string, symbol: string | null): string => `${channel}:${symbol ?? ''}`;
