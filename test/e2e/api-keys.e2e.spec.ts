import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'H200-SXM.eu-west.firm';
const MAX_KEYS = 6;

const buy = { symbol: SYMBOL, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 };

/** Several keys per account, each with its own scopes, expiry and allowlist; revocation that takes effect at once. */
describe('API keys an account manages itself', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let trader: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string };

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      MAX_API_KEYS_PER_ACCOUNT: String(MAX_KEYS),
      PROVISIONER: 'instant',
    });
    api = new Api(exchange);
    trader = await api.account('lab', ['trade', 'sell', 'read'], '100000');
    seller = await api.seller('cloud', { gpu: 'H200-SXM', region: 'eu-west', gpuCount: 1000 });
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  const newKey = async (owner: string, body: Record<string, unknown>, status = 201) =>
    (await api.http.post('/v1/account/api-keys').set('Authorization', owner).send(body).expect(status)).body;

  const bearer = (created: { apiKey: string }) => `Bearer ${created.apiKey}`;

  const signIn = async (key: string) => {
    const client = await WsClient.connect(exchange.url);
    const reply = await client.request({ op: 'auth', apiKey: key.replace('Bearer ', '') });
    return { client, reply };
  };

  const closedWith = async (client: WsClient, withinMs: number) => {
    const deadline = Date.now() + withinMs;
    while (!client.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return client.closed;
  };

  it('creates a key with some of the account scopes, shows it once, and lists keys without secrets', async () => {
    const created = await newKey(trader.key, { label: 'market-data bot', scopes: ['read'] });
    expect(created).toMatchObject({
      label: 'market-data bot',
      scopes: ['read'],
      expiresAt: null,
      allowedIps: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.apiKey).toMatch(/^gpx_/);
    expect(created.prefix).toBe(created.apiKey.slice(0, 8));

    const account = await api.http.get('/v1/account').set('Authorization', bearer(created)).expect(200);
    expect(account.body.id).toBe(trader.id);
    await api.http.post('/v1/orders').set('Authorization', bearer(created)).send(buy).expect(403);

    const listed = await api.http.get('/v1/account/api-keys').set('Authorization', trader.key).expect(200);
    expect(listed.body.map((k: { id: string }) => k.id)).toContain(created.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.apiKey);
    expect(listed.body.every((k: Record<string, unknown>) => !('apiKey' in k))).toBe(true);
    const first = listed.body.find((k: { createdBy: string | null }) => k.createdBy === null);
    expect(first).toMatchObject({ label: 'created with the account', scopes: ['trade', 'sell', 'read'] });
    expect(listed.body.find((k: { id: string }) => k.id === created.id).createdBy).toBe(first.id);

    // lastUsedAt is recorded, off the request's path.
    let used: string | null = null;
    for (let i = 0; i < 50 && !used; i++) {
      const again = await api.http.get('/v1/account/api-keys').set('Authorization', trader.key).expect(200);
      used = again.body.find((k: { id: string }) => k.id === created.id).lastUsedAt;
      if (!used) await new Promise((r) => setTimeout(r, 50));
    }
    expect(used).not.toBeNull();
    expect(exchange.log).not.toContain(created.apiKey);
  });

  it('grants only scopes both the account and the creating key hold', async () => {
    const reader = await newKey(trader.key, { label: 'reader', scopes: ['read'] });
    const escalate = await newKey(bearer(reader), { label: 'escalate', scopes: ['trade'] }, 403);
    expect(escalate.error.code).toBe('FORBIDDEN');
    expect(escalate.error.message).toContain('trade');
    const notTheAccounts = await newKey(seller.key, { label: 'buyer', scopes: ['trade'] }, 403);
    expect(notTheAccounts.error.message).toContain('account does not have the trade scope');
    const admin = await newKey(trader.key, { label: 'admin', scopes: ['admin'] }, 403);
    expect(admin.error.code).toBe('FORBIDDEN');
    const fromAdminKey = await newKey(api.admin(), { label: 'x', scopes: ['read'] }, 403);
    expect(fromAdminKey.error.code).toBe('FORBIDDEN');
    await api.http.delete(`/v1/account/api-keys/${reader.id}`).set('Authorization', trader.key).expect(200);
  });

  it('refuses bad input with a clear error and creates nothing', async () => {
    const before = await api.http.get('/v1/account/api-keys').set('Authorization', trader.key).expect(200);
    const bad: Record<string, unknown>[] = [
      { scopes: ['read'] },
      { label: '', scopes: ['read'] },
      { label: 'x'.repeat(101), scopes: ['read'] },
      { label: 'nul\u0000', scopes: ['read'] },
      { label: 'lone \ud800', scopes: ['read'] },
      { label: 'x', scopes: [] },
      { label: 'x', scopes: ['read', 'read'] },
      { label: 'x', scopes: ['root'] },
      { label: 'x', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' },
      { label: 'x', scopes: ['read'], expiresAt: 'tomorrow' },
      { label: 'x', scopes: ['read'], allowedIps: [] },
      { label: 'x', scopes: ['read'], allowedIps: ['localhost'] },
      { label: 'x', scopes: ['read'], allowedIps: ['10.0.0.0/33'] },
      { label: 'x', scopes: ['read'], allowedIps: Array.from({ length: 33 }, (_, i) => `10.0.0.${i}`) },
      { label: 'x', scopes: ['read'], allowedIps: [42] },
    ];
    for (const body of bad) {
      const refused = await newKey(trader.key, body, 400);
      expect(refused.error.code).toBe('INVALID_REQUEST');
    }
    const after = await api.http.get('/v1/account/api-keys').set('Authorization', trader.key).expect(200);
    expect(after.body).toEqual(before.body);
  });

  it('a revoked key stops at once, over REST and on its open WebSocket sessions', async () => {
    const bot = await newKey(trader.key, { label: 'bot', scopes: ['trade', 'read'] });
    const { client, reply } = await signIn(bearer(bot));
    expect(reply.type).toBe('authenticated');
    const other = await signIn(trader.key);
    await api.http.get('/v1/account').set('Authorization', bearer(bot)).expect(200);

    const revoked = await api.http
      .delete(`/v1/account/api-keys/${bot.id}`)
      .set('Authorization', trader.key)
      .expect(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const refused = await api.http.get('/v1/account').set('Authorization', bearer(bot)).expect(401);
    expect(refused.body.error.code).toBe('UNAUTHORIZED');
    expect(await closedWith(client, 1000)).toEqual({ code: 4401, reason: 'API key revoked' });
    expect(other.client.closed).toBeNull(); // the account's other sessions stay
    const again = await signIn(bearer(bot));
    expect(again.reply).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });

    // Revoking twice keeps the first time.
    const twice = await api.http
      .delete(`/v1/account/api-keys/${bot.id}`)
      .set('Authorization', trader.key)
      .expect(200);
    expect(twice.body.revokedAt).toBe(revoked.body.revokedAt);
    other.client.close();
    again.client.close();
  });

  it('a key revokes only keys whose scopes it holds (or itself); other accounts see no such key', async () => {
    const reader = await newKey(trader.key, { label: 'reader', scopes: ['read'] });
    const bot = await newKey(trader.key, { label: 'bot', scopes: ['trade'] });
    const refused = await api.http
      .delete(`/v1/account/api-keys/${bot.id}`)
      .set('Authorization', bearer(reader))
      .expect(403);
    expect(refused.body.error.message).toContain('trade');
    const foreign = await api.http
      .delete(`/v1/account/api-keys/${bot.id}`)
      .set('Authorization', seller.key)
      .expect(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    await api.http.delete('/v1/account/api-keys/not-a-uuid').set('Authorization', trader.key).expect(404);
    await api.http
      .delete(`/v1/account/api-keys/${reader.id}`)
      .set('Authorization', bearer(reader))
      .expect(200);
    await api.http.get('/v1/account').set('Authorization', bearer(reader)).expect(401);
    await api.http.get('/v1/account').set('Authorization', bearer(bot)).expect(200);
    await api.http.delete(`/v1/account/api-keys/${bot.id}`).set('Authorization', trader.key).expect(200);
  });

  it('an admin lists and revokes any account key', async () => {
    const leaked = await newKey(seller.key, { label: 'leaked', scopes: ['sell'] });
    const { client } = await signIn(bearer(leaked));
    const listed = await api.http
      .get(`/v1/admin/accounts/${seller.id}/api-keys`)
      .set('Authorization', api.admin())
      .expect(200);
    expect(listed.body.map((k: { id: string }) => k.id)).toContain(leaked.id);
    await api.http
      .delete(`/v1/admin/accounts/${trader.id}/api-keys/${leaked.id}`)
      .set('Authorization', api.admin())
      .expect(404);
    await api.http
      .delete(`/v1/admin/accounts/${seller.id}/api-keys/${leaked.id}`)
      .set('Authorization', api.admin())
      .expect(200);
    await api.http.get('/v1/account').set('Authorization', bearer(leaked)).expect(401);
    expect(await closedWith(client, 1000)).toEqual({ code: 4401, reason: 'API key revoked' });
    await api.http
      .get(`/v1/admin/accounts/${seller.id}/api-keys`)
      .set('Authorization', seller.key)
      .expect(403);
  });

  it('an expired key stops working, and its sessions close within a second of the expiry', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const shortLived = await newKey(trader.key, { label: 'short', scopes: ['read'], expiresAt });
    expect(shortLived.expiresAt).toBe(expiresAt);
    const { client, reply } = await signIn(bearer(shortLived));
    expect(reply.type).toBe('authenticated');
    await api.http.get('/v1/account').set('Authorization', bearer(shortLived)).expect(200);
    const closed = await closedWith(client, 4000);
    const closedAt = Date.now();
    expect(closed).toEqual({ code: 4401, reason: 'API key expired' });
    expect(closedAt - Date.parse(expiresAt)).toBeLessThan(1000);
    const refused = await api.http.get('/v1/account').set('Authorization', bearer(shortLived)).expect(401);
    expect(refused.body.error.message).toContain('expired');
  });

  it('a key with an address allowlist works only from those addresses', async () => {
    const elsewhere = await newKey(trader.key, {
      label: 'office',
      scopes: ['read'],
      allowedIps: ['203.0.113.0/24', '2001:db8::/32'],
    });
    expect(elsewhere.allowedIps).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    const refused = await api.http.get('/v1/account').set('Authorization', bearer(elsewhere)).expect(403);
    expect(refused.body.error.message).toContain('not allowed from');
    const ws = await signIn(bearer(elsewhere));
    expect(ws.reply).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    ws.client.close();
    const here = await newKey(trader.key, { label: 'here', scopes: ['read'], allowedIps: ['127.0.0.1'] });
    await api.http.get('/v1/account').set('Authorization', bearer(here)).expect(200);
    for (const key of [elsewhere, here]) {
      await api.http.delete(`/v1/account/api-keys/${key.id}`).set('Authorization', trader.key).expect(200);
    }
  });

  it(`an account holds at most ${MAX_KEYS} keys in force, even when asked for many at once`, async () => {
    const account = await api.account('many keys', ['read']);
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api.http
          .post('/v1/account/api-keys')
          .set('Authorization', account.key)
          .send({ label: `k${i}`, scopes: ['read'] })
          .then((r) => r),
      ),
    );
    const created = attempts.filter((r) => r.status === 201);
    expect(created.length).toBe(MAX_KEYS - 1); // the key made with the account counts
    for (const refused of attempts.filter((r) => r.status !== 201)) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('LIMIT_REACHED');
    }
    await api.http
      .delete(`/v1/account/api-keys/${created[0].body.id}`)
      .set('Authorization', account.key)
      .expect(200);
    await newKey(account.key, { label: 'after a revocation', scopes: ['read'] });
  });

  describe('scopes checked in the service layer, the same over REST and WebSocket', () => {
    it('a read-only key cannot cancel, amend or cancel all over WebSocket', async () => {
      const placed = await api.http.post('/v1/orders').set('Authorization', trader.key).send(buy).expect(201);
      const reader = await newKey(trader.key, { label: 'reader', scopes: ['read'] });
      const { client } = await signIn(bearer(reader));
      for (const op of [
        { op: 'cancel', orderId: placed.body.id },
        { op: 'amend', orderId: placed.body.id, price: '2.00' },
        { op: 'cancelAll', symbol: SYMBOL },
        { op: 'place', order: buy },
      ]) {
        expect(await client.request(op)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
      }
      const order = await api.http
        .get(`/v1/orders/${placed.body.id}`)
        .set('Authorization', trader.key)
        .expect(200);
      expect(order.body).toMatchObject({ status: 'open', price: '1' });
      client.close();
      await api.http.delete(`/v1/orders/${placed.body.id}`).set('Authorization', trader.key).expect(200);
    });

    it('a sell-only key cannot amend or cancel a buy, and its cancel-all leaves the buys', async () => {
      const placedBuy = await api.http
        .post('/v1/orders')
        .set('Authorization', trader.key)
        .send(buy)
        .expect(201);
      // The trader account sells too: a key of it with only `sell`.
      const sellOnly = await newKey(trader.key, { label: 'sell desk', scopes: ['sell'] });
      const cluster = await api.http
        .post('/v1/clusters')
        .set('Authorization', trader.key)
        .send({
          name: 'lab cluster',
          gpu: 'H200-SXM',
          region: 'eu-west',
          gpuCount: 16,
          webhookUrl: 'http://127.0.0.1:9/h',
        })
        .expect(201);
      const placedSell = await api.http
        .post('/v1/orders')
        .set('Authorization', bearer(sellOnly))
        .send({
          symbol: SYMBOL,
          side: 'sell',
          type: 'limit',
          price: '9.00',
          quantity: 8,
          clusterId: cluster.body.id,
        })
        .expect(201);
      const amend = await api.http
        .patch(`/v1/orders/${placedBuy.body.id}`)
        .set('Authorization', bearer(sellOnly))
        .send({ quantity: 16 })
        .expect(403);
      expect(amend.body.error.code).toBe('FORBIDDEN');
      await api.http
        .delete(`/v1/orders/${placedBuy.body.id}`)
        .set('Authorization', bearer(sellOnly))
        .expect(403);
      const all = await api.http
        .delete(`/v1/orders?symbol=${SYMBOL}`)
        .set('Authorization', bearer(sellOnly))
        .expect(200);
      const cancelledIds = (all.body as { id: string }[]).map((o) => o.id);
      expect(cancelledIds).toEqual([placedSell.body.id]);
      const still = await api.http
        .get(`/v1/orders/${placedBuy.body.id}`)
        .set('Authorization', trader.key)
        .expect(200);
      expect(still.body.status).toBe('open');
      await api.http.delete(`/v1/orders/${placedBuy.body.id}`).set('Authorization', trader.key).expect(200);
    });

    it('cancelOnDisconnect belongs to the principal that placed the order, across re-authentication', async () => {
      const { client } = await signIn(trader.key);
      const auth = await client.request({
        op: 'auth',
        apiKey: trader.key.replace('Bearer ', ''),
        cancelOnDisconnect: true,
      });
      expect(auth).toMatchObject({ type: 'authenticated', cancelOnDisconnect: true });
      const placed = await client.request({ op: 'place', order: buy });
      expect(placed).toMatchObject({ type: 'ack', order: { status: 'open' } });
      const other = await client.request({ op: 'auth', apiKey: seller.key.replace('Bearer ', '') });
      expect(other).toMatchObject({ type: 'authenticated', accountId: seller.id });
      client.close();
      const id = (placed.order as { id: string }).id;
      let status = 'open';
      for (let i = 0; i < 50 && status === 'open'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = (await api.http.get(`/v1/orders/${id}`).set('Authorization', trader.key).expect(200)).body
          .status;
      }
      expect(status).toBe('cancelled');
    });
  });
});
