import { Inject, Logger, OnApplicationShutdown } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { AuthService } from '../auth/auth.service';
import { Clock } from '../common/clock';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LeaderElection } from '../leadership/leader-election';
import { Metrics } from '../metrics/metrics';
import { clientAddressOf } from '../common/client-address';
import { DomainError } from '../common/domain-error';
import { findUnsafeInput } from '../common/safe-input';
import { MarketFeed } from '../market-data/market-feed';
import { OrdersService } from '../orders/orders.service';
import { PrivateFeed } from './private-feed';
import { PRIVATE_CHANNELS, WsRequest, parseRequest } from './ws-requests';
import { CLOSE, ConnectionLimits } from './connection-limits';
import { WsSession } from './ws-session';

/** Frames above this size are refused by the server (the connection closes with 1009). */
export const MAX_FRAME_BYTES = 64 * 1024;
const ORDER_OPS = new Set<unknown>(['place', 'cancel', 'amend', 'cancelAll']);

/**
 * `/v1/ws` as PROTOCOL.md defines it: order entry (the same durable, group-committed path as REST), public
 * market data (book snapshots then updates with sequence and checksum, trades, ticker, heartbeats) and private
 * channels. Every malformed frame gets an `error` and the connection stays open; clients that flood or cannot
 * keep up are disconnected with a reason.
 */
@WebSocketGateway({ path: '/v1/ws', maxPayload: MAX_FRAME_BYTES })
export class ExchangeGateway implements OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown {
  private readonly logger = new Logger(ExchangeGateway.name);
  private readonly sessions = new Set<WsSession>();
  /** Who listens where: `book:<symbol>` (and trades, ticker) and `orders:<accountId>` (and fills, leases). */
  private readonly subscribers = new Map<string, Set<WsSession>>();
  private readonly bySocket = new WeakMap<WebSocket, WsSession>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly limits: ConnectionLimits;
  private readonly clientAddress: (request: IncomingMessage) => string;

  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(MarketFeed) private readonly feed: MarketFeed,
    @Inject(PrivateFeed) private readonly privateFeed: PrivateFeed,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(LeaderElection) private readonly election: LeaderElection,
  ) {
    this.limits = new ConnectionLimits(config.ws);
    this.clientAddress = clientAddressOf(config.http.trustProxy);
    metrics.gauge('exchange_ws_connections', 'WebSocket connections open', () => this.sessions.size);
    metrics.gauge('exchange_ws_subscriptions', 'Channel subscriptions across WebSocket connections', () => {
      let subscriptions = 0;
      for (const sessions of this.subscribers.values()) subscriptions += sessions.size;
      return subscriptions;
    });
    this.feed.onMessage((symbol, channel, message) => {
      const sessions = this.subscribers.get(`${channel}:${symbol}`);
      if (!sessions) return;
      const text = JSON.stringify(message());
      for (const session of sessions) session.sendText(text);
    });
    this.privateFeed.onMessage((accountId, channel, message) => {
      const sessions = this.subscribers.get(`${channel}:${accountId}`);
      if (!sessions) return;
      const text = JSON.stringify(message());
      for (const session of sessions) session.sendText(text);
    });
    this.auth.onRevoked((keyIds) => {
      for (const session of this.sessions) {
        const keyId = session.principal?.keyId;
        if (keyId && keyIds.has(keyId)) session.socket.close(CLOSE.keyEnded, 'API key revoked');
      }
    });
    this.heartbeat = setInterval(() => this.beat(), 1000);
    this.heartbeat.unref();
  }

  handleConnection(socket: WebSocket, request?: IncomingMessage): void {
    const session = new WsSession(
      socket,
      request?.socket instanceof Socket ? request.socket : null,
      request ? this.clientAddress(request) : undefined,
    );
    if (!this.election.serving) {
      // 1013, "try again later": this node is taking over, or still catching up with the leader's stream.
      socket.close(1013, 'this node is not serving yet');
      return;
    }
    const refused = this.limits.admit(session.address ?? 'unknown', Date.now());
    if (refused) {
      socket.close(CLOSE.tooManyConnections, refused);
      this.metrics.wsDisconnected(CLOSE.tooManyConnections);
      return;
    }
    this.sessions.add(session);
    this.bySocket.set(socket, session);
    socket.once('close', (code: number) => this.metrics.wsDisconnected(code));
    socket.on('close', () => this.closed(session));
    socket.on('message', (data: RawData, isBinary: boolean) => this.arrived(session, data, isBinary));
  }

  /**
   * A frame as it arrives: counted (frames a second, bytes waiting) before it waits its turn, so a client cannot
   * pile up frames faster than they are handled.
   */
  private arrived(session: WsSession, data: RawData, isBinary: boolean): void {
    if (!session.open) return; // closing: what still comes in is dropped
    const limits = this.config.ws;
    const bytes = byteLength(data);
    const over = session.arrived(bytes, limits.messagesPerSecond, Date.now());
    if (over > 2 * limits.messagesPerSecond) {
      session.socket.close(CLOSE.tooManyMessages, 'too many messages');
    } else if (session.queuedBytes > limits.queuedBytes) {
      session.socket.close(CLOSE.tooMuchQueued, `more than ${limits.queuedBytes} bytes of frames waiting`);
    } else {
      session.pending = session.pending.then(async () => {
        try {
          await this.onFrame(session, data, isBinary, over > 0);
        } catch (error) {
          this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
        } finally {
          session.handled(bytes);
        }
      });
      return;
    }
    session.handled(bytes);
  }

  handleDisconnect(socket: WebSocket): void {
    const session = this.bySocket.get(socket);
    if (session) this.closed(session);
  }

  private closed(session: WsSession): void {
    if (!this.sessions.delete(session)) return;
    session.ended();
    this.limits.left(session.address ?? 'unknown');
    if (session.principal?.keyId) this.limits.signOut(session.principal.keyId);
    for (const channel of session.channels) this.leave(session, channel);
    if (session.placedToCancel.size > 0) void this.cancelPlaced(session);
  }

  /**
   * After the frames still queued for this connection: the orders placed over it under `cancelOnDisconnect`
   * that are still open are cancelled, each by the principal that placed it (whoever the connection signed in
   * as since).
   */
  private async cancelPlaced(session: WsSession): Promise<void> {
    await session.pending;
    await session.settled();
    for (const [id, principal] of session.placedToCancel) {
      try {
        await this.orders.cancel(principal, id);
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'ORDER_NOT_OPEN')) {
          this.logger.warn(
            `cancel-on-disconnect of order ${id}: ${error instanceof Error ? error.message : error}`,
          );
        }
      }
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
  }

  private async onFrame(
    session: WsSession,
    data: RawData,
    isBinary: boolean,
    overLimit: boolean,
  ): Promise<void> {
    let raw: unknown;
    try {
      raw = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      raw = undefined;
    }
    const requestId =
      typeof raw === 'object' && raw !== null ? (raw as { requestId?: unknown }).requestId : undefined;
    const echo = typeof requestId === 'string' || typeof requestId === 'number' ? { requestId } : {};
    try {
      if (overLimit) {
        throw new DomainError(
          'RATE_LIMITED',
          `more than ${this.config.ws.messagesPerSecond} messages a second`,
        );
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new DomainError('INVALID_REQUEST', 'frames are JSON objects with an op');
      }
      const unsafe = findUnsafeInput(raw, 'frame');
      if (unsafe) throw new DomainError('INVALID_REQUEST', unsafe);
      // As over HTTP, who you are is checked before what you sent.
      if (ORDER_OPS.has((raw as { op?: unknown }).op) && !session.principal) this.signedIn(session);
      const request = parseRequest(raw as Record<string, unknown>);
      if (request.op === 'place') {
        // Pipelined: the order is queued in frame order, and the next frame is read while it commits.
        const principal = this.signedIn(session);
        const cancelOnDisconnect = session.cancelOnDisconnect;
        const staged = await this.orders.stagePlace(principal, request.order);
        session.track(staged.result);
        void staged.result.then(
          ({ order }) => {
            if (order.status === 'open' && cancelOnDisconnect)
              session.placedToCancel.set(order.id, principal);
            session.send({ type: 'ack', order, ...echo });
          },
          (error: unknown) => this.sendError(session, echo, error),
        );
        return;
      }
      const [reply, ...then] = await this.handle(session, request);
      session.send({ ...reply, ...echo });
      for (const message of then) session.send(message);
    } catch (error) {
      this.sendError(session, echo, error);
      if (session.failedSignIns >= this.config.ws.failedSignInsPerConnection) {
        session.socket.close(CLOSE.tooManyFailedSignIns, 'too many failed sign-ins');
      }
    }
  }

  private sendError(session: WsSession, echo: object, error: unknown): void {
    const known = error instanceof DomainError;
    if (!known) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    session.send({
      type: 'error',
      ...echo,
      code: known ? error.code : 'INTERNAL_ERROR',
      message: known ? error.message : 'internal error',
    });
  }

  /** The reply to a request (it will carry the requestId), then any messages that must follow it. */
  private async handle(
    session: WsSession,
    request: Exclude<WsRequest, { op: 'place' }>,
  ): Promise<Record<string, unknown>[]> {
    switch (request.op) {
      case 'ping':
        return [{ type: 'pong' }];
      case 'auth': {
        const principal = await this.authenticate(session, request.apiKey);
        // Signing in again as another account: the private channels of the previous one are dropped.
        if (session.principal && session.principal.accountId !== principal.accountId) {
          for (const channel of PRIVATE_CHANNELS) this.leave(session, channel);
        }
        session.signIn(principal);
        session.cancelOnDisconnect = request.cancelOnDisconnect;
        return [
          {
            type: 'authenticated',
            accountId: principal.accountId,
            cancelOnDisconnect: request.cancelOnDisconnect,
          },
        ];
      }
      case 'subscribe':
        return this.subscribe(session, request.channel, request.symbol);
      case 'unsubscribe':
        this.leave(session, request.symbol ? `${request.channel}:${request.symbol}` : request.channel);
        return [{ type: 'unsubscribed', channel: request.channel, symbol: request.symbol }];
      case 'cancel': {
        const principal = this.signedIn(session);
        const id =
          request.orderId ?? (await this.orders.idOfClientOrder(principal, request.clientOrderId as string));
        return [{ type: 'ack', order: await this.orders.cancel(principal, id) }];
      }
      case 'amend':
        return [
          {
            type: 'ack',
            order: await this.orders.amend(this.signedIn(session), request.orderId, request.change),
          },
        ];
      case 'cancelAll':
        return [{ type: 'ack', orders: await this.orders.cancelAll(this.signedIn(session), request.symbol) }];
    }
  }

  /** Authenticates an `auth` request, counting failures, and moves the connection to the key it names. */
  private async authenticate(session: WsSession, apiKey: string): Promise<Principal> {
    let principal: Principal;
    try {
      principal = await this.auth.authenticate(apiKey, session.address);
      if (principal.accountId === null) {
        throw new DomainError('UNAUTHORIZED', 'sign in with an account key (the admin key has no account)');
      }
    } catch (error) {
      if (error instanceof DomainError) session.failedSignIns++;
      throw error;
    }
    if (!this.sessions.has(session)) throw new DomainError('UNAUTHORIZED', 'the connection closed');
    const previous = session.principal?.keyId ?? null;
    if (principal.keyId !== previous) {
      const max = this.config.ws.connectionsPerKey;
      if (!this.limits.signIn(principal.keyId as string)) {
        throw new DomainError('LIMIT_REACHED', `this API key has ${max} connections signed in already`);
      }
      if (previous) this.limits.signOut(previous);
    }
    return principal;
  }

  private subscribe(session: WsSession, channel: string, symbol: string | null) {
    const joining = PRIVATE_CHANNELS.includes(channel as never) ? channel : `${channel}:${symbol as string}`;
    const max = this.config.ws.subscriptionsPerConnection;
    if (!session.channels.has(joining) && session.channels.size >= max) {
      throw new DomainError('LIMIT_REACHED', `a connection subscribes to at most ${max} channels`);
    }
    if (PRIVATE_CHANNELS.includes(channel as never)) {
      this.signedIn(session);
      this.join(session, channel);
      return [{ type: 'subscribed', channel }];
    }
    const name = symbol as string;
    if (!this.feed.has(name)) throw new DomainError('UNKNOWN_SYMBOL', `unknown market ${name}`);
    // Subscribing and taking the snapshot happen in one synchronous step: no update can fall between them.
    this.join(session, `${channel}:${name}`);
    const snapshot =
      channel === 'book' ? [this.feed.snapshot(name)] : channel === 'ticker' ? [this.feed.ticker(name)] : [];
    return [{ type: 'subscribed', channel, symbol: name }, ...snapshot];
  }

  /** `channel` as the session names it: `book:<symbol>`, or a private channel's bare name. */
  private join(session: WsSession, channel: string): void {
    session.channels.add(channel);
    const key = this.routingKey(session, channel);
    const sessions = this.subscribers.get(key) ?? new Set<WsSession>();
    sessions.add(session);
    this.subscribers.set(key, sessions);
  }

  private leave(session: WsSession, channel: string): void {
    if (!session.channels.delete(channel)) return;
    const key = this.routingKey(session, channel);
    const sessions = this.subscribers.get(key);
    sessions?.delete(session);
    if (sessions?.size === 0) this.subscribers.delete(key);
  }

  /** Private channels are routed by account: a session hears only its own account's events. */
  private routingKey(session: WsSession, channel: string): string {
    return PRIVATE_CHANNELS.includes(channel as never)
      ? `${channel}:${session.principal?.accountId as string}`
      : channel;
  }

  private signedIn(session: WsSession) {
    if (!session.principal) throw new DomainError('UNAUTHORIZED', 'send {"op":"auth","apiKey":"..."} first');
    return session.principal;
  }

  private beat(): void {
    const time = new Date(this.clock.now());
    for (const session of this.sessions) {
      const symbols = new Set([
        ...session.symbolsFor('book'),
        ...session.symbolsFor('trades'),
        ...session.symbolsFor('ticker'),
      ]);
      for (const symbol of symbols) session.send(this.feed.heartbeat(symbol, time));
    }
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
