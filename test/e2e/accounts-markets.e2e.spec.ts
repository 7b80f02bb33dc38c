import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

describe('exchange over HTTP: health, auth, accounts, ledger, markets', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, { MAX_CLUSTERS_PER_ACCOUNT: '2' });
    api = new Api(exchange);
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  afterEach(async () => {
    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body).toEqual({ balanced: true, problems: [] });
  });

  it('answers /health and /ready', async () => {
    await api.http.get('/health').expect(200, { status: 'ok' });
    const ready = await api.http.get('/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ready',
      role: 'leader',
      epoch: 1,
      lagMs: 0,
      database: 'up',
      eventBus: 'in-process',
    });
  });

  it('has no test clock unless TEST_CLOCK=true', async () => {
    const { body } = await api.http
      .post('/v1/admin/clock/advance')
      .set('Authorization', api.admin())
      .send({ seconds: 60 })
      .expect(404);
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('serves the OpenAPI document at /docs', async () => {
    await api.http.get('/docs').expect(200);
    const doc = await api.http.get('/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/markets', '/v1/admin/accounts']),
    );
  });

  describe('markets', () => {
    it('lists the default catalog, firm and interruptible', async () => {
      const { body } = await api.http.get('/v1/markets').expect(200);
      const symbols = body.map((m: { symbol: string }) => m.symbol);
      expect(symbols).toEqual(
        expect.arrayContaining(['H100-SXM.us-east.firm', 'H100-SXM.us-east.int', 'B200.eu-west.firm']),
      );
      expect(body.find((m: { symbol: string }) => m.symbol === 'H100-SXM.us-east.int')).toEqual({
        symbol: 'H100-SXM.us-east.int',
        gpu: 'H100-SXM',
        region: 'us-east',
        leaseClass: 'int',
        tickSize: '0.01',
        lotSize: 8,
        minDurationHours: 1,
        maxDurationHours: 720,
        feeBps: 30,
        noticeMinutes: 15,
        activationMinutes: 10,
        creditBps: 1000,
        requireChecks: false,
      });
    });

    it('answers one market, or UNKNOWN_SYMBOL', async () => {
      await api.http.get('/v1/markets/B200.us-west.firm').expect(200);
      const { body } = await api.http.get('/v1/markets/TPU.nowhere.firm').expect(404);
      expect(body.error.code).toBe('UNKNOWN_SYMBOL');
    });

    it('lets an admin add a market, once', async () => {
      const market = {
        symbol: 'GB200.ap-south.firm',
        gpu: 'GB200',
        region: 'ap-south',
        leaseClass: 'firm',
        tickSize: '0.005',
        lotSize: 4,
        minDurationHours: 2,
        maxDurationHours: 168,
        feeBps: 25,
      };
      const created = await api.http
        .post('/v1/admin/markets')
        .set('Authorization', api.admin())
        .send(market)
        .expect(201);
      expect(created.body).toEqual({
        ...market,
        noticeMinutes: 0,
        activationMinutes: 10,
        creditBps: 1000,
        requireChecks: false,
      });
      const again = await api.http
        .post('/v1/admin/markets')
        .set('Authorization', api.admin())
        .send(market)
        .expect(409);
      expect(again.body.error.code).toBe('CONFLICT');
    });

    it.each([
      ['a symbol that does not match its parts', { symbol: 'X.y.firm' }, 'INVALID_REQUEST'],
      ['a zero tick', { tickSize: '0' }, 'INVALID_PRICE'],
      ['a tick finer than a micro-dollar', { tickSize: '0.0000001' }, 'INVALID_REQUEST'],
      ['a lot of zero', { lotSize: 0 }, 'INVALID_REQUEST'],
      ['inverted durations', { minDurationHours: 10, maxDurationHours: 5 }, 'INVALID_DURATION'],
      ['an unknown lease class', { leaseClass: 'spot', symbol: 'MI325X.us-east.spot' }, 'INVALID_REQUEST'],
      ['an unknown field', { colour: 'red' }, 'INVALID_REQUEST'],
    ])('refuses a market with %s', async (_name, change, code) => {
      const market = {
        symbol: 'MI325X.us-east.firm',
        gpu: 'MI325X',
        region: 'us-east',
        leaseClass: 'firm',
        tickSize: '0.01',
        lotSize: 8,
        minDurationHours: 1,
        maxDurationHours: 720,
        feeBps: 50,
        ...change,
      };
      const { body } = await api.http
        .post('/v1/admin/markets')
        .set('Authorization', api.admin())
        .send(market)
        .expect(400);
      expect(body.error.code).toBe(code);
      await api.http.get('/v1/markets/MI325X.us-east.firm').expect(404);
    });
  });

  describe('auth', () => {
    it('refuses a missing, malformed or unknown key with UNAUTHORIZED', async () => {
      for (const header of [undefined, 'Basic abc', 'Bearer', 'Bearer gpx_not-a-key']) {
        const req = api.http.get('/v1/account');
        const { body } = await (header ? req.set('Authorization', header) : req).expect(401);
        expect(body.error.code).toBe('UNAUTHORIZED');
      }
    });

    it('refuses a key without the needed scope with FORBIDDEN', async () => {
      const seller = await api.account('seller only', ['sell']);
      const { body } = await api.http
        .post('/v1/admin/accounts')
        .set('Authorization', seller.key)
        .send({ name: 'x', scopes: ['read'] })
        .expect(403);
      expect(body.error.code).toBe('FORBIDDEN');
    });

    it('never prints an API key or the admin key', async () => {
      const { key } = await api.account('quiet', ['read']);
      await api.http.get('/v1/account').set('Authorization', key).expect(200);
      expect(exchange.log).not.toContain(key.slice('Bearer '.length));
      expect(exchange.log).not.toContain(exchange.adminKey);
    });
  });

  describe('accounts and money', () => {
    it('creates an account whose key shows its balance and ledger', async () => {
      const buyer = await api.account('Acme AI', ['trade', 'read'], '1000.50');
      await api.http
        .post(`/v1/admin/accounts/${buyer.id}/deposits`)
        .set('Authorization', api.admin())
        .send({ amount: '0.0000000001' })
        .expect(201);
      const { body } = await api.http.get('/v1/account').set('Authorization', buyer.key).expect(200);
      expect(body).toEqual({
        id: buyer.id,
        name: 'Acme AI',
        scopes: ['trade', 'read'],
        balance: { available: '1000.5000000001', held: '0', escrow: '0' },
        sshPublicKey: null,
      });
      const ledger = await api.http.get('/v1/account/ledger').set('Authorization', buyer.key).expect(200);
      expect(ledger.body.map((l: { kind: string; amount: string }) => [l.kind, l.amount])).toEqual([
        ['deposit', '0.0000000001'],
        ['deposit', '1000.5'],
      ]);
      const page = await api.http
        .get(`/v1/account/ledger?limit=1&before=${ledger.body[0].id}`)
        .set('Authorization', buyer.key)
        .expect(200);
      expect(page.body.map((l: { amount: string }) => l.amount)).toEqual(['1000.5']);
    });

    it.each([
      ['a negative amount', { amount: '-5' }],
      ['zero', { amount: '0' }],
      ['a number instead of a string', { amount: 5 }],
      ['too many decimals', { amount: '1.00000000001' }],
      ['an exponent', { amount: '1e3' }],
      ['nothing', {}],
    ])('refuses a deposit of %s and changes nothing', async (_name, body) => {
      const account = await api.account('d', ['read'], '10');
      const res = await api.http
        .post(`/v1/admin/accounts/${account.id}/deposits`)
        .set('Authorization', api.admin())
        .send(body)
        .expect(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
      const after = await api.http.get('/v1/account').set('Authorization', account.key).expect(200);
      expect(after.body.balance.available).toBe('10');
    });

    it('refuses a deposit to an unknown account with NOT_FOUND', async () => {
      for (const id of ['00000000-0000-0000-0000-00000000abcd', 'not-a-uuid']) {
        const { body } = await api.http
          .post(`/v1/admin/accounts/${id}/deposits`)
          .set('Authorization', api.admin())
          .send({ amount: '1' })
          .expect(404);
        expect(body.error.code).toBe('NOT_FOUND');
      }
    });

    it.each([
      ['no name', { scopes: ['read'] }],
      ['no scopes', { name: 'x', scopes: [] }],
      ['an unknown scope', { name: 'x', scopes: ['god'] }],
      ['scopes as a string', { name: 'x', scopes: 'read' }],
    ])('refuses an account with %s', async (_name, body) => {
      const res = await api.http
        .post('/v1/admin/accounts')
        .set('Authorization', api.admin())
        .send(body)
        .expect(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
    });
  });

  it('caps the clusters one account registers (LIMIT_REACHED), not another account’s', async () => {
    const cluster = {
      name: 'rack',
      gpu: 'B200',
      region: 'us-west',
      gpuCount: 8,
      webhookUrl: 'http://127.0.0.1:9/h',
    };
    const seller = await api.account('many racks', ['sell']);
    for (let i = 0; i < 2; i++)
      await api.http.post('/v1/clusters').set('Authorization', seller.key).send(cluster).expect(201);
    const refused = await api.http
      .post('/v1/clusters')
      .set('Authorization', seller.key)
      .send(cluster)
      .expect(409);
    expect(refused.body.error.code).toBe('LIMIT_REACHED');
    const listed = await api.http.get('/v1/clusters').set('Authorization', seller.key).expect(200);
    expect(listed.body).toHaveLength(2);
    const other = await api.account('one rack', ['sell']);
    await api.http.post('/v1/clusters').set('Authorization', other.key).send(cluster).expect(201);
  });

  describe('malformed requests', () => {
    it('answers malformed JSON with INVALID_REQUEST', async () => {
      const { body } = await api.http
        .post('/v1/admin/accounts')
        .set('Authorization', api.admin())
        .set('Content-Type', 'application/json')
        .send('{"name":')
        .expect(400);
      expect(body.error.code).toBe('INVALID_REQUEST');
    });

    it('refuses a body over 64 kB', async () => {
      const { body } = await api.http
        .post('/v1/admin/accounts')
        .set('Authorization', api.admin())
        .send({ name: 'x'.repeat(70_000), scopes: ['read'] })
        .expect(413);
      expect(body.error.code).toBe('INVALID_REQUEST');
    });

    it('answers an unknown route with NOT_FOUND in the error shape', async () => {
      const { body } = await api.http.get('/v1/nothing').expect(404);
      expect(body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    });
  });
});
