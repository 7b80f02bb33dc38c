import { signedHeaders } from '../../src/provisioning/webhook-signature';
import { WS_OPS } from '../../src/gateway/ws-requests';
import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const FIRM = 'H100-SXM.us-east.firm';
const INT = 'H100-SXM.us-east.int';
const OTHER_MARKET = 'H200-SXM.eu-west.firm';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Call {
  path: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}
/** What a key other than the owner's gets: its own view of the route (allowed) or a refusal. */
type Expected = 'allowed' | { status: number; code: string };

/**
 * One row per operation of the OpenAPI document. `call` builds the request (making fresh resources where the
 * owner's call uses them up); `wrongScope` is a key of the owner's account whose scopes the route refuses (null
 * when every account scope passes); `other` is what another account's key gets.
 */
interface Row {
  call: () => Promise<Call>;
  kind: 'public' | 'account' | 'admin' | 'signed';
  wrongScope?: KeyName | null;
  other?: Expected;
}
type KeyName = 'read' | 'trade' | 'sell';

const refused = (status: number, code: string): Expected => ({ status, code });
const NOT_FOUND = refused(404, 'NOT_FOUND');
const UNKNOWN_CLUSTER = refused(400, 'UNKNOWN_CLUSTER');

/**
 * Every route of the OpenAPI document and every WebSocket op, tried with no key, a revoked key, an expired key, a
 * key without the scope, another account's key and the owner's key. Each gets its documented status and code, and
 * a refusal changes nothing (balances, orders, clusters, keys, leases, the ledger). A route added without a row
 * here fails the test.
 */
describe('the authorization matrix', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let doc: {
    servers: { url: string }[];
    paths: Record<
      string,
      Record<string, { summary?: string; security?: unknown[]; responses: Record<string, unknown> }>
    >;
  };
  let owner: { id: string; key: string };
  let other: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string; webhookSecret: string };
  let intBuyer: { id: string; key: string };
  let ownerCluster: { id: string; webhookSecret: string };
  let otherCluster: { id: string; webhookSecret: string };
  const keys = {} as Record<KeyName | 'revoked' | 'expired', string>;

  const post = (key: string, path: string, body: object, status = 201) =>
    api.http.post(path).set('Authorization', key).send(body).expect(status);
  const newKey = async (scopes: string[], extra: object = {}) =>
    `Bearer ${(await post(owner.key, '/v1/account/api-keys', { label: 'matrix', scopes, ...extra })).body.apiKey}`;
  const buyOrder = async (symbol = FIRM) =>
    (
      await post(owner.key, '/v1/orders', {
        symbol,
        side: 'buy',
        type: 'limit',
        price: '1.00',
        quantity: 8,
        durationHours: 1,
      })
    ).body.id as string;
  const leaseOf = async (buyerKey: string, orderId: string) => {
    const fills = (await api.http.get('/v1/fills?limit=20').set('Authorization', buyerKey).expect(200)).body;
    return fills.find((f: { orderId: string }) => f.orderId === orderId).leaseId as string;
  };
  /** A fresh active lease the owner bought (instant provisioning). */
  const ownerBoughtLease = async () => {
    await post(seller.key, '/v1/orders', {
      symbol: FIRM,
      side: 'sell',
      type: 'limit',
      price: '2.00',
      quantity: 8,
      clusterId: seller.cluster,
    });
    const buy = await post(owner.key, '/v1/orders', {
      symbol: FIRM,
      side: 'buy',
      type: 'limit',
      price: '2.00',
      quantity: 8,
      durationHours: 2,
    });
    return leaseOf(owner.key, buy.body.id);
  };
  /** A fresh active lease the owner sold, on the interruptible market. */
  const ownerSoldLease = async () => {
    await post(owner.key, '/v1/orders', {
      symbol: INT,
      side: 'sell',
      type: 'limit',
      price: '2.00',
      quantity: 8,
      clusterId: ownerCluster.id,
    });
    const buy = await post(intBuyer.key, '/v1/orders', {
      symbol: INT,
      side: 'buy',
      type: 'limit',
      price: '2.00',
      quantity: 8,
      durationHours: 2,
    });
    return leaseOf(intBuyer.key, buy.body.id);
  };
  const freshKeyId = async () =>
    (await post(owner.key, '/v1/account/api-keys', { label: 'to revoke', scopes: ['trade'] })).body
      .id as string;
  const callback = (leaseId: string, secret: string) => {
    const payload = JSON.stringify({ leaseId, status: 'active', access: {} });
    return {
      path: '/v1/provisioning/callback',
      raw: payload,
      headers: signedHeaders(secret, `msg_${leaseId}`, payload),
    };
  };
  let standingLease: string;
  let standingOrder: string;
  let marketSeq = 0;

  const ROWS: Record<string, Row> = {
    'GET /health': { kind: 'public', call: async () => ({ path: '/health' }) },
    'GET /ready': { kind: 'public', call: async () => ({ path: '/ready' }) },
    'GET /metrics': { kind: 'public', call: async () => ({ path: '/metrics' }) },
    'GET /v1/markets': { kind: 'public', call: async () => ({ path: '/v1/markets' }) },
    'GET /v1/markets/{symbol}': { kind: 'public', call: async () => ({ path: `/v1/markets/${FIRM}` }) },
    'GET /v1/markets/{symbol}/book': {
      kind: 'public',
      call: async () => ({ path: `/v1/markets/${FIRM}/book` }),
    },
    'GET /v1/markets/{symbol}/trades': {
      kind: 'public',
      call: async () => ({ path: `/v1/markets/${FIRM}/trades` }),
    },
    'GET /v1/markets/{symbol}/candles': {
      kind: 'public',
      call: async () => ({ path: `/v1/markets/${FIRM}/candles` }),
    },
    'GET /v1/markets/{symbol}/ticker': {
      kind: 'public',
      call: async () => ({ path: `/v1/markets/${FIRM}/ticker` }),
    },
    'GET /v1/markets/{symbol}/reliability': {
      kind: 'public',
      call: async () => ({ path: `/v1/markets/${FIRM}/reliability` }),
    },
    'GET /v1/sellers/{id}/reliability': {
      kind: 'public',
      call: async () => ({ path: `/v1/sellers/${seller.id}/reliability` }),
    },

    'GET /v1/account': {
      kind: 'account',
      wrongScope: null,
      other: 'allowed',
      call: async () => ({ path: '/v1/account' }),
    },
    'GET /v1/account/ledger': {
      kind: 'account',
      wrongScope: null,
      other: 'allowed',
      call: async () => ({ path: '/v1/account/ledger' }),
    },
    'POST /v1/account/api-keys': {
      kind: 'account',
      wrongScope: 'read', // a read key makes only read keys
      other: 'allowed',
      call: async () => ({ path: '/v1/account/api-keys', body: { label: 'bot', scopes: ['trade'] } }),
    },
    'GET /v1/account/api-keys': {
      kind: 'account',
      wrongScope: null,
      other: 'allowed',
      call: async () => ({ path: '/v1/account/api-keys' }),
    },
    'DELETE /v1/account/api-keys/{id}': {
      kind: 'account',
      wrongScope: 'read', // it cannot revoke a trade key
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/account/api-keys/${await freshKeyId()}` }),
    },
    'PUT /v1/account/ssh-key': {
      kind: 'account',
      wrongScope: 'sell',
      other: 'allowed',
      call: async () => ({
        path: '/v1/account/ssh-key',
        body: {
          sshPublicKey:
            'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb4zRrk0C2t8s2qf0Hq2b0xJ7Y6sRzjzfGq3m2kQ1aB lab',
        },
      }),
    },
    'DELETE /v1/account/ssh-key': {
      kind: 'account',
      wrongScope: 'sell',
      other: 'allowed',
      call: async () => ({ path: '/v1/account/ssh-key' }),
    },

    'POST /v1/clusters': {
      kind: 'account',
      wrongScope: 'trade',
      other: 'allowed',
      call: async () => ({
        path: '/v1/clusters',
        body: {
          name: 'c',
          gpu: 'H100-SXM',
          region: 'us-east',
          gpuCount: 8,
          webhookUrl: 'http://127.0.0.1:9/h',
        },
      }),
    },
    'GET /v1/clusters': {
      kind: 'account',
      wrongScope: 'trade',
      other: 'allowed',
      call: async () => ({ path: '/v1/clusters' }),
    },
    'POST /v1/clusters/{id}/restore': {
      kind: 'account',
      wrongScope: 'trade',
      other: UNKNOWN_CLUSTER,
      call: async () => ({ path: `/v1/clusters/${ownerCluster.id}/restore` }),
    },
    'GET /v1/clusters/{id}/deliveries': {
      kind: 'account',
      wrongScope: 'trade',
      other: UNKNOWN_CLUSTER,
      call: async () => ({ path: `/v1/clusters/${ownerCluster.id}/deliveries` }),
    },

    'POST /v1/orders': {
      kind: 'account',
      wrongScope: 'sell', // a buy needs trade
      other: 'allowed',
      call: async () => ({
        path: '/v1/orders',
        body: { symbol: FIRM, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 },
      }),
    },
    'GET /v1/orders': {
      kind: 'account',
      wrongScope: null,
      other: 'allowed',
      call: async () => ({ path: '/v1/orders' }),
    },
    'DELETE /v1/orders': {
      kind: 'account',
      wrongScope: 'read',
      other: 'allowed',
      call: async () => {
        await buyOrder(OTHER_MARKET);
        return { path: `/v1/orders?symbol=${OTHER_MARKET}` };
      },
    },
    'GET /v1/orders/{id}': {
      kind: 'account',
      wrongScope: null,
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/orders/${standingOrder}` }),
    },
    'PATCH /v1/orders/{id}': {
      kind: 'account',
      wrongScope: 'sell',
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/orders/${await buyOrder()}`, body: { price: '1.10' } }),
    },
    'DELETE /v1/orders/{id}': {
      kind: 'account',
      wrongScope: 'sell',
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/orders/${await buyOrder()}` }),
    },
    'GET /v1/fills': {
      kind: 'account',
      wrongScope: null,
      other: 'allowed',
      call: async () => ({ path: '/v1/fills' }),
    },

    'GET /v1/leases': {
      kind: 'account',
      wrongScope: null,
      other: 'allowed',
      call: async () => ({ path: '/v1/leases' }),
    },
    'GET /v1/leases/{id}': {
      kind: 'account',
      wrongScope: null,
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/leases/${standingLease}` }),
    },
    'GET /v1/leases/{id}/deliveries': {
      kind: 'account',
      wrongScope: 'trade',
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/leases/${await ownerSoldLease()}/deliveries` }),
    },
    'POST /v1/leases/{id}/release': {
      kind: 'account',
      wrongScope: 'sell',
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/leases/${await ownerBoughtLease()}/release` }),
    },
    'POST /v1/leases/{id}/interrupt': {
      kind: 'account',
      wrongScope: 'trade',
      other: NOT_FOUND,
      call: async () => ({ path: `/v1/leases/${await ownerSoldLease()}/interrupt` }),
    },

    'POST /v1/provisioning/callback': {
      kind: 'signed',
      call: async () => ({ path: '/v1/provisioning/callback' }),
    },
    'POST /v1/provisioning/inventory': {
      kind: 'signed',
      call: async () => ({ path: '/v1/provisioning/inventory' }),
    },

    'POST /v1/admin/accounts': {
      kind: 'admin',
      call: async () => ({ path: '/v1/admin/accounts', body: { name: 'new', scopes: ['read'] } }),
    },
    'POST /v1/admin/accounts/{id}/deposits': {
      kind: 'admin',
      call: async () => ({ path: `/v1/admin/accounts/${owner.id}/deposits`, body: { amount: '1' } }),
    },
    'GET /v1/admin/accounts/{id}/api-keys': {
      kind: 'admin',
      call: async () => ({ path: `/v1/admin/accounts/${owner.id}/api-keys` }),
    },
    'DELETE /v1/admin/accounts/{id}/api-keys/{keyId}': {
      kind: 'admin',
      call: async () => ({ path: `/v1/admin/accounts/${owner.id}/api-keys/${await freshKeyId()}` }),
    },
    'GET /v1/admin/ledger/audit': { kind: 'admin', call: async () => ({ path: '/v1/admin/ledger/audit' }) },
    'POST /v1/admin/markets': {
      kind: 'admin',
      call: async () => ({
        path: '/v1/admin/markets',
        body: {
          symbol: `B200-SXM.matrix-${++marketSeq}.firm`,
          gpu: 'B200-SXM',
          region: `matrix-${marketSeq}`,
          leaseClass: 'firm',
          tickSize: '0.01',
          lotSize: 8,
          minDurationHours: 1,
          maxDurationHours: 720,
          feeBps: 10,
        },
      }),
    },
    'GET /v1/admin/clusters': { kind: 'admin', call: async () => ({ path: '/v1/admin/clusters' }) },
    'GET /v1/admin/events': { kind: 'admin', call: async () => ({ path: '/v1/admin/events' }) },
    'GET /v1/admin/events/lag': { kind: 'admin', call: async () => ({ path: '/v1/admin/events/lag' }) },
    'GET /v1/admin/provisioning/backlog': {
      kind: 'admin',
      call: async () => ({ path: '/v1/admin/provisioning/backlog' }),
    },
    'POST /v1/admin/clock/advance': {
      kind: 'admin',
      call: async () => ({ path: '/v1/admin/clock/advance', body: { seconds: 1 } }),
    },
  };

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      PROVISIONER: 'instant',
      TEST_CLOCK: 'true',
      FAILED_SIGN_INS_PER_MINUTE: '100000', // the matrix fails many sign-ins on purpose
    });
    api = new Api(exchange);
    doc = (await api.http.get('/docs/openapi.json').expect(200)).body;
    owner = await api.account('owner', ['read', 'trade', 'sell'], '100000');
    other = await api.account('other', ['read', 'trade', 'sell'], '100000');
    intBuyer = await api.account('int buyer', ['read', 'trade'], '100000');
    seller = await api.seller('seller', { gpu: 'H100-SXM', region: 'us-east', gpuCount: 10_000 });
    const cluster = {
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 10_000,
      webhookUrl: 'http://127.0.0.1:9/h',
    };
    ownerCluster = (await post(owner.key, '/v1/clusters', { name: 'owner', ...cluster })).body;
    otherCluster = (await post(other.key, '/v1/clusters', { name: 'other', ...cluster })).body;
    for (const scope of ['read', 'trade', 'sell'] as const) keys[scope] = await newKey([scope]);
    keys.revoked = await newKey(['read', 'trade', 'sell']);
    const revokedId = (await api.http.get('/v1/account/api-keys').set('Authorization', owner.key)).body[0].id;
    await api.http.delete(`/v1/account/api-keys/${revokedId}`).set('Authorization', owner.key).expect(200);
    keys.expired = await newKey(['read', 'trade', 'sell'], {
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    standingOrder = await buyOrder();
    standingLease = await ownerBoughtLease();
    await new Promise((resolve) => setTimeout(resolve, 1600)); // the expired key is expired now
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  /** Everything a refusal must leave as it was, read as the accounts and the admin see it. */
  async function state(): Promise<unknown> {
    const read = async (key: string, path: string) =>
      (await api.http.get(path).set('Authorization', key)).body;
    const withoutUse = (list: Record<string, unknown>[]) => list.map(({ lastUsedAt: _used, ...key }) => key);
    const views = [];
    for (const account of [owner, other]) {
      views.push(
        await read(account.key, '/v1/account'),
        await read(account.key, '/v1/orders?limit=100'),
        await read(account.key, '/v1/clusters'),
        withoutUse(await read(account.key, '/v1/account/api-keys?limit=100')),
        await read(account.key, '/v1/leases?limit=100'),
        await read(account.key, '/v1/account/ledger?limit=100'),
      );
    }
    views.push(await read(api.admin(), '/v1/admin/ledger/audit'), await read(api.admin(), '/v1/markets'));
    return views;
  }

  async function send(method: Method, call: Call, key: string | null, raw?: string) {
    let request = api.http[method](call.path);
    if (key) request = request.set('Authorization', key);
    for (const [name, value] of Object.entries(call.headers ?? {})) request = request.set(name, value);
    if (raw !== undefined) return request.set('content-type', 'application/json').send(raw);
    return call.body ? request.send(call.body) : request;
  }

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({
        name: `${method.toUpperCase()} ${path}`,
        method: method as Method,
        path,
      })),
    );

  it('has a row for every operation of the OpenAPI document, and no row for one that is not there', () => {
    expect(
      operations()
        .map((o) => o.name)
        .sort(),
    ).toEqual(Object.keys(ROWS).sort());
  });

  it('gives every operation a summary and its security (empty for public routes), and names its server', () => {
    const unsummarized = operations().filter((o) => !doc.paths[o.path][o.method].summary?.trim());
    expect(unsummarized.map((o) => o.name)).toEqual([]);
    const undeclared = operations().filter((o) => !Array.isArray(doc.paths[o.path][o.method].security));
    expect(undeclared.map((o) => o.name)).toEqual([]);
    expect(doc.servers).toEqual([expect.objectContaining({ url: expect.any(String) })]);
    // Every status of every operation has a schema: successes their body, errors PROTOCOL.md's envelope.
    const unschematic = operations().flatMap((o) =>
      Object.entries(doc.paths[o.path][o.method].responses)
        .filter(([, r]) => !Object.values((r as { content?: object }).content ?? {}).length)
        .map(([status]) => `${o.name} ${status}`),
    );
    expect(unschematic).toEqual([]);
  });

  it('every route answers each kind of caller as documented, and a refusal changes nothing', async () => {
    const failures: string[] = [];
    const expect_ = (
      what: string,
      response: { status: number; body: { error?: { code?: string } } },
      e: Expected,
      success: number[],
    ) => {
      const ok =
        e === 'allowed'
          ? success.includes(response.status)
          : response.status === e.status && response.body?.error?.code === e.code;
      if (!ok)
        failures.push(
          `${what}: got ${response.status} ${JSON.stringify(response.body).slice(0, 160)}, expected ${JSON.stringify(e === 'allowed' ? success : e)}`,
        );
    };
    for (const { name, method, path } of operations()) {
      const row = ROWS[name];
      // Any success the document gives (placing an order: 201, or 200 for a repeated clientOrderId).
      const success = Object.keys(doc.paths[path][method].responses)
        .filter((s) => /^2\d\d$/.test(s))
        .map(Number);
      const security = doc.paths[path][method].security;
      if (row.kind === 'public' || row.kind === 'signed') {
        expect({ name, security: security ?? [] }).toEqual({ name, security: [] });
      } else {
        expect({ name, security }).toEqual({ name, security: [{ bearer: [] }] });
      }
      if (row.kind === 'public') {
        expect_(`${name} without a key`, await send(method, await row.call(), null), 'allowed', success);
        expect_(
          `${name} with a revoked key`,
          await send(method, await row.call(), keys.revoked),
          'allowed',
          success,
        );
        continue;
      }
      if (row.kind === 'signed') {
        const before = await state();
        const lease = callback(standingLease, seller.webhookSecret);
        expect_(
          `${name} unsigned`,
          await send(method, { path: lease.path }, null, lease.raw),
          refused(401, 'INVALID_SIGNATURE'),
          success,
        );
        const forged = callback(standingLease, otherCluster.webhookSecret);
        expect_(
          `${name} signed by another cluster`,
          await send(method, forged, null, forged.raw),
          refused(401, 'INVALID_SIGNATURE'),
          success,
        );
        expect(await state()).toEqual(before);
        expect_(
          `${name} signed by the lease's cluster`,
          await send(method, lease, null, lease.raw),
          'allowed',
          success,
        );
        continue;
      }
      const call = await row.call();
      const before = await state();
      const unauthorized = refused(401, 'UNAUTHORIZED');
      expect_(`${name} without a key`, await send(method, call, null), unauthorized, success);
      expect_(`${name} with a revoked key`, await send(method, call, keys.revoked), unauthorized, success);
      expect_(`${name} with an expired key`, await send(method, call, keys.expired), unauthorized, success);
      const forbidden = refused(403, 'FORBIDDEN');
      if (row.kind === 'admin') {
        expect_(`${name} with an account's key`, await send(method, call, owner.key), forbidden, success);
      } else if (row.wrongScope) {
        expect_(
          `${name} with a ${row.wrongScope} key`,
          await send(method, call, keys[row.wrongScope]),
          forbidden,
          success,
        );
      }
      if (row.kind === 'account' && row.other !== 'allowed' && row.other) {
        expect_(
          `${name} with another account's key`,
          await send(method, call, other.key),
          row.other,
          success,
        );
      }
      const after = await state();
      if (JSON.stringify(after) !== JSON.stringify(before))
        failures.push(`${name}: a refusal changed the state`);
      if (row.kind === 'account' && row.other === 'allowed') {
        expect_(
          `${name} with another account's key`,
          await send(method, await row.call(), other.key),
          'allowed',
          success,
        );
      }
      expect_(
        `${name} with the owner's key`,
        await send(method, call, row.kind === 'admin' ? api.admin() : owner.key),
        'allowed',
        success,
      );
    }
    expect(failures).toEqual([]);
    expect(
      (await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin())).body.balanced,
    ).toBe(true);
  });

  it('every WebSocket op answers each kind of caller as documented', async () => {
    const bare = (key: string) => key.replace('Bearer ', '');
    const signedIn = async (key: string | null) => {
      const client = await WsClient.connect(exchange.url);
      if (key) expect((await client.request({ op: 'auth', apiKey: bare(key) })).type).toBe('authenticated');
      return client;
    };
    const order = { symbol: FIRM, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 };
    type Case = {
      who: string;
      key: string | null;
      frame: () => Promise<Record<string, unknown>>;
      expect: string;
    };
    const cases: Record<(typeof WS_OPS)[number], Case[]> = {
      ping: [{ who: 'no key', key: null, frame: async () => ({ op: 'ping' }), expect: 'pong' }],
      auth: [
        {
          who: 'a revoked key',
          key: null,
          frame: async () => ({ op: 'auth', apiKey: bare(keys.revoked) }),
          expect: 'UNAUTHORIZED',
        },
        {
          who: 'an expired key',
          key: null,
          frame: async () => ({ op: 'auth', apiKey: bare(keys.expired) }),
          expect: 'UNAUTHORIZED',
        },
        {
          who: 'an unknown key',
          key: null,
          frame: async () => ({ op: 'auth', apiKey: 'gpx_nope' }),
          expect: 'UNAUTHORIZED',
        },
        {
          who: "the owner's key",
          key: null,
          frame: async () => ({ op: 'auth', apiKey: bare(owner.key) }),
          expect: 'authenticated',
        },
      ],
      subscribe: [
        {
          who: 'no key, public',
          key: null,
          frame: async () => ({ op: 'subscribe', channel: 'trades', symbol: FIRM }),
          expect: 'subscribed',
        },
        {
          who: 'no key, private',
          key: null,
          frame: async () => ({ op: 'subscribe', channel: 'orders' }),
          expect: 'UNAUTHORIZED',
        },
        {
          who: 'a read key, private',
          key: keys.read,
          frame: async () => ({ op: 'subscribe', channel: 'fills' }),
          expect: 'subscribed',
        },
      ],
      unsubscribe: [
        {
          who: 'no key, public',
          key: null,
          frame: async () => ({ op: 'unsubscribe', channel: 'trades', symbol: FIRM }),
          expect: 'unsubscribed',
        },
      ],
      place: [
        { who: 'no key', key: null, frame: async () => ({ op: 'place', order }), expect: 'UNAUTHORIZED' },
        {
          who: 'a sell key, buying',
          key: keys.sell,
          frame: async () => ({ op: 'place', order }),
          expect: 'FORBIDDEN',
        },
        {
          who: 'a read key',
          key: keys.read,
          frame: async () => ({ op: 'place', order }),
          expect: 'FORBIDDEN',
        },
        {
          who: "the owner's key",
          key: owner.key,
          frame: async () => ({ op: 'place', order }),
          expect: 'ack',
        },
      ],
      cancel: [
        {
          who: 'no key',
          key: null,
          frame: async () => ({ op: 'cancel', orderId: await buyOrder() }),
          expect: 'UNAUTHORIZED',
        },
        {
          who: 'a sell key, on a buy',
          key: keys.sell,
          frame: async () => ({ op: 'cancel', orderId: await buyOrder() }),
          expect: 'FORBIDDEN',
        },
        {
          who: "another account's key",
          key: other.key,
          frame: async () => ({ op: 'cancel', orderId: await buyOrder() }),
          expect: 'NOT_FOUND',
        },
        {
          who: "the owner's key",
          key: owner.key,
          frame: async () => ({ op: 'cancel', orderId: await buyOrder() }),
          expect: 'ack',
        },
      ],
      amend: [
        {
          who: 'no key',
          key: null,
          frame: async () => ({ op: 'amend', orderId: await buyOrder(), price: '1.05' }),
          expect: 'UNAUTHORIZED',
        },
        {
          who: 'a sell key, on a buy',
          key: keys.sell,
          frame: async () => ({ op: 'amend', orderId: await buyOrder(), price: '1.05' }),
          expect: 'FORBIDDEN',
        },
        {
          who: "another account's key",
          key: other.key,
          frame: async () => ({ op: 'amend', orderId: await buyOrder(), price: '1.05' }),
          expect: 'NOT_FOUND',
        },
        {
          who: "the owner's key",
          key: owner.key,
          frame: async () => ({ op: 'amend', orderId: await buyOrder(), price: '1.05' }),
          expect: 'ack',
        },
      ],
      cancelAll: [
        {
          who: 'no key',
          key: null,
          frame: async () => ({ op: 'cancelAll', symbol: OTHER_MARKET }),
          expect: 'UNAUTHORIZED',
        },
        {
          who: 'a read key',
          key: keys.read,
          frame: async () => ({ op: 'cancelAll', symbol: OTHER_MARKET }),
          expect: 'FORBIDDEN',
        },
        {
          who: "the owner's key",
          key: owner.key,
          frame: async () => ({ op: 'cancelAll', symbol: OTHER_MARKET }),
          expect: 'ack',
        },
      ],
    };
    expect(Object.keys(cases).sort()).toEqual([...WS_OPS].sort());
    const failures: string[] = [];
    for (const op of WS_OPS) {
      for (const c of cases[op]) {
        const frame = await c.frame();
        const client = await signedIn(c.key);
        const before = c.expect === c.expect.toUpperCase() ? await state() : null;
        const reply = await client.request(frame);
        const got = reply.type === 'error' ? reply.code : reply.type;
        if (got !== c.expect)
          failures.push(
            `${op} with ${c.who}: got ${JSON.stringify(reply).slice(0, 160)}, expected ${c.expect}`,
          );
        if (before && JSON.stringify(await state()) !== JSON.stringify(before))
          failures.push(`${op} with ${c.who}: a refusal changed the state`);
        client.close();
      }
    }
    expect(failures).toEqual([]);
  });
});
