import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'H200-SXM.eu-west.firm';

const closedWith = async (client: WsClient, withinMs = 5000) => {
  const deadline = Date.now() + withinMs;
  while (!client.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return client.closed;
};

const bare = (key: string) => key.replace('Bearer ', '');

/** Every WebSocket limit of PROTOCOL.md's "abusive client": each a setting, each a documented close code or error. */
describe('WebSocket limits', () => {
  describe('per connection and per key', () => {
    let database: TestDatabase;
    let exchange: ExchangeProcess;
    let api: Api;
    let trader: { id: string; key: string };
    /** An open buy that the flood amends: every amend waits for a commit. */
    let orderId: string;

    beforeAll(async () => {
      database = await freshDatabase();
      exchange = await ExchangeProcess.start(database, {
        WS_MESSAGES_PER_SECOND: '500',
        WS_QUEUED_BYTES: String(1024 * 1024),
        WS_CONNECTIONS_PER_ADDRESS: '8',
        WS_CONNECTIONS_PER_KEY: '2',
        WS_SUBSCRIPTIONS_PER_CONNECTION: '3',
        WS_FAILED_SIGN_INS_PER_CONNECTION: '3',
      });
      api = new Api(exchange);
      trader = await api.account('lab', ['trade', 'read'], '1000000');
      const placed = await api.http
        .post('/v1/orders')
        .set('Authorization', trader.key)
        .send({ symbol: SYMBOL, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 })
        .expect(201);
      orderId = placed.body.id;
    });

    afterAll(async () => {
      await exchange?.stop();
      await database?.drop();
    });

    it('closes a connection whose frames pile up faster than they are handled, before memory grows (4009)', async () => {
      const client = await WsClient.connect(exchange.url);
      await client.request({ op: 'auth', apiKey: bare(trader.key) });
      const before = exchange.rssBytes();
      // Each amend waits for its commit; 60 kB of JSON whitespace makes each frame heavy to hold.
      const frames = ['1.01', '1.02'].map(
        (price) => `{"op":"amend","orderId":"${orderId}","price":"${price}"${' '.repeat(60_000)}}`,
      );
      for (let i = 0; i < 3000 && !client.closed; i++) {
        client.sendRaw(frames[i % 2]);
        if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      }
      const closed = await closedWith(client, 15_000);
      expect(closed?.code).toBe(4009);
      expect(closed?.reason).toContain('bytes of frames waiting');
      const grown = exchange.rssBytes() - before;
      expect(grown).toBeLessThan(64 * 1024 * 1024);
      // The exchange still serves everyone else.
      const other = await WsClient.connect(exchange.url);
      expect(await other.request({ op: 'ping' })).toMatchObject({ type: 'pong' });
      other.close();
    });

    it('counts frames as they arrive, so frames waiting for commits cannot hide a flood (4029)', async () => {
      const client = await WsClient.connect(exchange.url);
      await client.request({ op: 'auth', apiKey: bare(trader.key) });
      const frames = ['1.01', '1.02'].map((price) => JSON.stringify({ op: 'amend', orderId, price }));
      for (let i = 0; i < 3000; i++) client.sendRaw(frames[i % 2]);
      const closed = await closedWith(client, 10_000);
      expect(closed).toEqual({ code: 4029, reason: 'too many messages' });
    });

    it('limits the connections signed in with one key (LIMIT_REACHED, the connection stays)', async () => {
      const second = await api.http
        .post('/v1/account/api-keys')
        .set('Authorization', trader.key)
        .send({ label: 'second', scopes: ['read'] })
        .expect(201);
      const clients = await Promise.all([1, 2, 3, 4].map(() => WsClient.connect(exchange.url)));
      const replies = [];
      for (const client of clients.slice(0, 3))
        replies.push(await client.request({ op: 'auth', apiKey: bare(trader.key) }));
      expect(replies.map((r) => r.type)).toEqual(['authenticated', 'authenticated', 'error']);
      expect(replies[2]).toMatchObject({ code: 'LIMIT_REACHED' });
      // Another key of the same account has its own count; the refused connection stays open and can use it.
      expect(await clients[2].request({ op: 'auth', apiKey: second.body.apiKey })).toMatchObject({
        type: 'authenticated',
      });
      // Moving a connection to another key frees its place under the first.
      expect(await clients[0].request({ op: 'auth', apiKey: second.body.apiKey })).toMatchObject({
        type: 'authenticated',
      });
      expect(await clients[3].request({ op: 'auth', apiKey: bare(trader.key) })).toMatchObject({
        type: 'authenticated',
      });
      clients[1].close();
      await closedWith(clients[1]);
      const later = await WsClient.connect(exchange.url);
      for (let i = 0; i < 20; i++) {
        const reply = await later.request({ op: 'auth', apiKey: bare(trader.key) });
        if (reply.type === 'authenticated') break;
        await new Promise((r) => setTimeout(r, 25)); // the server sees the close a moment later
      }
      expect(later.messages.at(-1)).toMatchObject({ type: 'authenticated' });
      for (const client of [...clients, later]) client.close();
    });

    it('limits the subscriptions of one connection (LIMIT_REACHED)', async () => {
      const client = await WsClient.connect(exchange.url);
      for (const channel of ['book', 'trades', 'ticker']) {
        expect(await client.request({ op: 'subscribe', channel, symbol: SYMBOL })).toMatchObject({
          type: 'subscribed',
        });
      }
      const refused = await client.request({
        op: 'subscribe',
        channel: 'book',
        symbol: 'H100-SXM.eu-west.firm',
      });
      expect(refused).toMatchObject({ type: 'error', code: 'LIMIT_REACHED' });
      // Subscribing again to one it has is no new subscription; after an unsubscribe there is room.
      expect(await client.request({ op: 'subscribe', channel: 'book', symbol: SYMBOL })).toMatchObject({
        type: 'subscribed',
      });
      await client.request({ op: 'unsubscribe', channel: 'trades', symbol: SYMBOL });
      expect(
        await client.request({ op: 'subscribe', channel: 'book', symbol: 'H100-SXM.eu-west.firm' }),
      ).toMatchObject({ type: 'subscribed' });
      client.close();
    });

    it('closes a connection after repeated failed sign-ins (4031)', async () => {
      const client = await WsClient.connect(exchange.url);
      for (let i = 0; i < 3; i++) {
        expect(await client.request({ op: 'auth', apiKey: `gpx_wrong_${i}` })).toMatchObject({
          type: 'error',
          code: 'UNAUTHORIZED',
        });
      }
      expect(await closedWith(client)).toEqual({ code: 4031, reason: 'too many failed sign-ins' });
    });

    it('limits the connections open at once from one address (4030)', async () => {
      await new Promise((r) => setTimeout(r, 300)); // the server has seen the earlier tests' connections close
      const clients: WsClient[] = [];
      for (let i = 0; i < 8; i++) clients.push(await WsClient.connect(exchange.url));
      const refused = await WsClient.connect(exchange.url);
      expect(await closedWith(refused)).toEqual({
        code: 4030,
        reason: 'more than 8 connections from one address',
      });
      for (const client of clients)
        expect(await client.request({ op: 'ping' })).toMatchObject({ type: 'pong' });
      for (const client of clients) client.close();
    });
  });

  describe('per address over time', () => {
    let database: TestDatabase;
    let exchange: ExchangeProcess;
    let api: Api;

    beforeAll(async () => {
      database = await freshDatabase();
      exchange = await ExchangeProcess.start(database, {
        WS_NEW_CONNECTIONS_PER_ADDRESS: '10',
        FAILED_SIGN_INS_PER_MINUTE: '6',
      });
      api = new Api(exchange);
    });

    afterAll(async () => {
      await exchange?.stop();
      await database?.drop();
    });

    it('refuses sign-ins from an address that failed too often, without a look-up, over WebSocket and REST', async () => {
      const trader = await api.account('lab', ['trade', 'read']);
      const client = await WsClient.connect(exchange.url);
      expect(await client.request({ op: 'auth', apiKey: 'gpx_wrong_0' })).toMatchObject({
        code: 'UNAUTHORIZED',
      });
      for (let i = 1; i < 6; i++) {
        await api.http.get('/v1/account').set('Authorization', `Bearer gpx_wrong_${i}`).expect(401);
      }
      const good = await WsClient.connect(exchange.url);
      expect(await good.request({ op: 'auth', apiKey: bare(trader.key) })).toMatchObject({
        type: 'error',
        code: 'RATE_LIMITED',
      });
      const rest = await api.http.get('/v1/account').set('Authorization', trader.key).expect(429);
      expect(rest.body.error.message).toContain('failed sign-ins');
      // Public routes stay open.
      await api.http.get('/v1/markets').expect(200);
      client.close();
      good.close();
    });

    it('limits the new connections from one address in 5 minutes (4030)', async () => {
      // Two connections are counted already (the test before).
      const opened: WsClient[] = [];
      for (let i = 0; i < 8; i++) opened.push(await WsClient.connect(exchange.url));
      for (const client of opened) client.close();
      const refused = await WsClient.connect(exchange.url);
      expect(await closedWith(refused)).toEqual({
        code: 4030,
        reason: 'more than 10 new connections from one address in 5 minutes',
      });
    });
  });
});
