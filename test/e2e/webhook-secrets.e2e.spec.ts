import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { Api } from '../support/api';
import { agentSeller, eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'H200-SXM.eu-west.firm';
// Reads the clusters table itself: runs in `npm run test:pg`.
const describeWithPostgres = process.env.E2E_DATABASE === 'postgres' ? describe : describe.skip;

/** Webhook secrets are sealed at rest (AES-256-GCM), and the sealing key can be rotated with a restart. */
describeWithPostgres('webhook secrets at rest', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let agent: ClusterAgent;
  const [oldKey, newKey] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];

  const stored = async (): Promise<string> => {
    const db = new Client({ connectionString: database.env.DATABASE_URL });
    await db.connect();
    const { rows } = await db.query(`select webhook_secret from clusters`);
    await db.end();
    return rows[0].webhook_secret;
  };

  /** A sell and a crossing buy; resolves once the agent (verifying the exchange's signature) made it active. */
  async function provision(api: Api, seller: { key: string; cluster: string }, buyer: { key: string }) {
    await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({
        symbol: SYMBOL,
        side: 'sell',
        type: 'limit',
        price: '3.00',
        quantity: 8,
        clusterId: seller.cluster,
      })
      .expect(201);
    await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol: SYMBOL, side: 'buy', type: 'limit', price: '3.00', quantity: 8, durationHours: 1 })
      .expect(201);
    const fill = (await api.http.get('/v1/fills?limit=1').set('Authorization', buyer.key).expect(200))
      .body[0];
    return eventually(async () => {
      const lease = (await api.http.get(`/v1/leases/${fill.leaseId}`).set('Authorization', buyer.key)).body;
      return lease.status === 'active' ? lease : null;
    });
  }

  beforeAll(async () => {
    database = await freshDatabase();
  });

  afterAll(async () => {
    await exchange?.stop();
    await agent?.stop();
    await database?.drop();
  });

  it('stores no secret in the clear, signs with it, and re-seals it under a new key listed first', async () => {
    exchange = await ExchangeProcess.start(database, { WEBHOOK_SECRET_KEYS: oldKey });
    let api = new Api(exchange);
    const registered = await agentSeller(api, exchange.url, 'Sealed', {
      gpu: 'H200-SXM',
      region: 'eu-west',
      gpuCount: 64,
    });
    agent = registered.agent;
    const buyer = await api.account('lab', ['trade', 'read'], '10000');
    const secret = registered.seller.webhookSecret;
    const sealed = await stored();
    expect(sealed).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(sealed).not.toContain(secret.slice('whsec_'.length, 20));
    await provision(api, registered.seller, buyer);

    await exchange.stop();
    exchange = await ExchangeProcess.start(database, { WEBHOOK_SECRET_KEYS: `${newKey},${oldKey}` });
    api = new Api(exchange);
    expect(exchange.log).toMatch(/sealed 1 webhook secrets with the current key/);
    const resealed = await stored();
    expect(resealed.split(':')[1]).not.toBe(sealed.split(':')[1]);
    await provision(api, registered.seller, buyer);

    // The old key can go now; a database whose secrets no listed key opens does not start.
    await exchange.stop();
    exchange = await ExchangeProcess.start(database, { WEBHOOK_SECRET_KEYS: newKey });
    api = new Api(exchange);
    await provision(api, registered.seller, buyer);
    await exchange.stop();
    await expect(ExchangeProcess.start(database, { WEBHOOK_SECRET_KEYS: oldKey })).rejects.toThrow(
      /which is not listed/,
    );
    expect(exchange.log).not.toContain(secret);
  });
});
