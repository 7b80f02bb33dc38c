import net from 'node:net';
import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { Api } from '../support/api';
import { agentSeller, eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'H100-SXM.us-east.firm';
const STUCK_LEASES = 300;

/** A cluster that accepts connections and never answers: every request waits for the exchange's timeout. */
async function deadCluster(): Promise<{ url: string; connections: () => number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** Places a buy with `buy` and waits for its lease to be active: how long that took, from the buy. */
async function msToActive(
  api: Api,
  buyerKey: string,
  buy: () => Promise<{ body: { id: string } }>,
): Promise<number> {
  const placed = Date.now();
  const { body } = await buy();
  const fills = (await api.http.get('/v1/fills?limit=5').set('Authorization', buyerKey).expect(200)).body;
  const leaseId = fills.find((f: { orderId: string }) => f.orderId === body.id).leaseId;
  const active = await eventually(
    async () => {
      const lease = (await api.http.get(`/v1/leases/${leaseId}`).set('Authorization', buyerKey)).body;
      return lease.status === 'active' ? Date.now() : null;
    },
    30_000,
    "the healthy seller's lease to be active",
  );
  return active - placed;
}

/**
 * One seller's dead cluster, with hundreds of leases waiting on it, must not delay another seller's provisioning;
 * the dead cluster is marked degraded (no new sell orders), and its deprovisions are abandoned after their
 * attempts instead of being retried forever.
 */
describe('provisioning is fair between clusters', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let dead: Awaited<ReturnType<typeof deadCluster>>;
  let agent: ClusterAgent;
  let healthy: { key: string; cluster: string };
  let attacker: { key: string; cluster: string };
  let buyer: { id: string; key: string };

  beforeAll(async () => {
    database = await freshDatabase();
    dead = await deadCluster();
    exchange = await ExchangeProcess.start(database, {
      PROVISIONING_TIMEOUT_MS: '2000',
      PROVISIONING_RETRY_BASE_MS: '200',
      PROVISIONING_RETRY_MAX_MS: '800',
      PROVISIONING_DEADLINE_SECONDS: '12',
      PROVISIONING_DEPROVISION_ATTEMPTS: '3',
      PROVISIONING_BREAKER_FAILURES: '5',
    });
    api = new Api(exchange);
    attacker = await api.seller('dead seller', {
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 8 * STUCK_LEASES,
      webhookUrl: dead.url,
    });
    ({ agent, seller: healthy } = await agentSeller(api, exchange.url, 'healthy seller', {
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 64,
    }));
    buyer = await api.account('buyer', ['trade', 'read'], '1000000');
  });

  afterAll(async () => {
    await agent?.stop();
    dead?.close();
    await exchange?.stop();
    await database?.drop();
  });

  const order = { symbol: SYMBOL, type: 'limit', price: '2.00', quantity: 8 };
  const sell = (who: { key: string; cluster: string }, quantity = 8) =>
    api.http
      .post('/v1/orders')
      .set('Authorization', who.key)
      .send({ ...order, quantity, side: 'sell', clusterId: who.cluster });
  const buy = () =>
    api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ ...order, side: 'buy', durationHours: 1 })
      .expect(201);
  const clusterOf = async (who: { key: string; cluster: string }) =>
    (await api.http.get('/v1/clusters').set('Authorization', who.key).expect(200)).body.find(
      (c: { id: string }) => c.id === who.cluster,
    );

  it(`another seller's lease goes active within 2 s while ${STUCK_LEASES} leases wait on a dead cluster`, async () => {
    await sell(attacker, 8 * STUCK_LEASES).expect(201);
    for (let i = 0; i < STUCK_LEASES; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => buy().then()));
    }
    // The dead cluster holds requests open now.
    await eventually(async () => dead.connections() >= 4, 10_000, 'requests to the dead cluster');
    await new Promise((resolve) => setTimeout(resolve, 300));

    await sell(healthy).expect(201);
    const waitedMs = await msToActive(api, buyer.key, buy);
    console.log(
      `healthy lease active ${waitedMs} ms after its buy, with ${STUCK_LEASES} leases stuck elsewhere`,
    );
    expect(waitedMs).toBeLessThan(2000);
  });

  it('the dead cluster is degraded: its owner and the admin see it, and it takes no new sell orders', async () => {
    const degraded = await eventually(
      async () => {
        const cluster = await clusterOf(attacker);
        return cluster.status === 'degraded' ? cluster : null;
      },
      20_000,
      'the dead cluster to be degraded',
    );
    expect(degraded.degradedReason).toMatch(/stopped answering: 5 requests in a row failed/);
    expect(Date.parse(degraded.degradedAt)).not.toBeNaN();
    expect(await clusterOf(healthy)).toMatchObject({ status: 'active', degradedAt: null });

    const refused = await sell(attacker).expect(409);
    expect(refused.body.error.code).toBe('CLUSTER_DEGRADED');
    await sell(healthy).expect(201); // the other seller is not affected

    const listed = await api.http
      .get('/v1/admin/clusters?status=degraded')
      .set('Authorization', api.admin())
      .expect(200);
    expect(listed.body.map((c: { id: string }) => c.id)).toEqual([attacker.cluster]);
    await api.http.get('/v1/admin/clusters').set('Authorization', attacker.key).expect(403);

    // Later attempts are failed fast, without a request, while its breaker is open.
    const pending = await api.http
      .get(`/v1/clusters/${attacker.cluster}/deliveries?status=pending&limit=500`)
      .set('Authorization', attacker.key)
      .expect(200);
    expect(pending.body.some((d: { lastError: string }) => /circuit open/.test(d.lastError ?? ''))).toBe(
      true,
    );
  });

  it('the stuck leases fail at their deadline with full refunds, and their deprovisions are abandoned after 3 attempts', async () => {
    // Nothing stays pending: the provisions of failed leases are dropped when next due, the deprovisions given up.
    await eventually(
      async () => {
        const { body } = await api.http
          .get(`/v1/clusters/${attacker.cluster}/deliveries?status=pending`)
          .set('Authorization', attacker.key)
          .expect(200);
        return body.length === 0;
      },
      60_000,
      'nothing pending on the dead cluster',
    );
    const { body } = await api.http
      .get(`/v1/clusters/${attacker.cluster}/deliveries?status=abandoned&limit=1000`)
      .set('Authorization', attacker.key)
      .expect(200);
    const deprovisions = body.filter((d: { type: string }) => d.type === 'lease.deprovision');
    expect(deprovisions).toHaveLength(STUCK_LEASES);
    expect(new Set(deprovisions.map((d: { attempts: number }) => d.attempts))).toEqual(new Set([3]));
    const account = (await api.http.get('/v1/account').set('Authorization', buyer.key).expect(200)).body;
    expect(account.balance.escrow).toBe('16'); // only the healthy seller's active lease, 8 GPUs x 1 h x 2.00
  });

  it('its owner can restore it, and it takes sell orders again', async () => {
    const restored = await api.http
      .post(`/v1/clusters/${attacker.cluster}/restore`)
      .set('Authorization', attacker.key)
      .expect(200);
    expect(restored.body).toMatchObject({ id: attacker.cluster, status: 'active', degradedReason: null });
    await api.http
      .post(`/v1/clusters/${attacker.cluster}/restore`)
      .set('Authorization', healthy.key)
      .expect(400); // UNKNOWN_CLUSTER: not the caller's
    await sell(attacker).expect(201);
  });
});

/** Many dead clusters of one seller: together they hold no more than their account's share of the slots. */
describe('provisioning is fair between accounts', () => {
  const DEAD_CLUSTERS = 20;
  const LEASES_EACH = 10;
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let dead: Awaited<ReturnType<typeof deadCluster>>;
  let agent: ClusterAgent;

  beforeAll(async () => {
    database = await freshDatabase();
    dead = await deadCluster();
    exchange = await ExchangeProcess.start(database, {
      PROVISIONING_TIMEOUT_MS: '5000',
      PROVISIONING_BREAKER_FAILURES: '1000',
    });
    api = new Api(exchange);
  });

  afterAll(async () => {
    await agent?.stop();
    dead?.close();
    await exchange?.stop();
    await database?.drop();
  });

  it(`another seller's lease goes active within 2 s while one seller's ${DEAD_CLUSTERS} dead clusters fill their lanes`, async () => {
    const attacker = await api.account('many dead clusters', ['sell', 'read']);
    const buyer = await api.account('buyer', ['trade', 'read'], '1000000');
    const order = { symbol: SYMBOL, type: 'limit', price: '2.00', quantity: 8 };
    for (let c = 0; c < DEAD_CLUSTERS; c++) {
      const cluster = (
        await api.http
          .post('/v1/clusters')
          .set('Authorization', attacker.key)
          .send({
            name: `dead ${c}`,
            gpu: 'H100-SXM',
            region: 'us-east',
            gpuCount: 8 * LEASES_EACH,
            webhookUrl: dead.url,
          })
          .expect(201)
      ).body.id;
      await api.http
        .post('/v1/orders')
        .set('Authorization', attacker.key)
        .send({ ...order, quantity: 8 * LEASES_EACH, side: 'sell', clusterId: cluster })
        .expect(201);
    }
    const buy = () =>
      api.http
        .post('/v1/orders')
        .set('Authorization', buyer.key)
        .send({ ...order, side: 'buy', durationHours: 1 })
        .expect(201);
    for (let i = 0; i < DEAD_CLUSTERS * LEASES_EACH; i += 50)
      await Promise.all(Array.from({ length: 50 }, () => buy().then()));
    // Every dead cluster's lane is full, up to what the account may hold.
    await eventually(async () => dead.connections() >= 16, 10_000, 'requests to the dead clusters');
    await new Promise((resolve) => setTimeout(resolve, 300));

    let seller: { key: string; cluster: string };
    ({ agent, seller } = await agentSeller(api, exchange.url, 'healthy seller', {
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 64,
    }));
    await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({ ...order, side: 'sell', clusterId: seller.cluster })
      .expect(201);
    const waitedMs = await msToActive(api, buyer.key, buy);
    console.log(
      `healthy lease active ${waitedMs} ms after its buy, beside ${DEAD_CLUSTERS} dead clusters of one seller`,
    );
    expect(waitedMs).toBeLessThan(2000);
  });
});
