import { recordedRequest } from '../support/recorded-request';
import { signedHeaders } from '../../src/provisioning/webhook-signature';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { failoverSuite } from '../support/failover-suite';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'H100-SXM.us-east.firm';
const BUY = { symbol: SYMBOL, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 };
const CYCLES = Number(process.env.FAILOVER_CYCLES ?? 20);
/** Cluster mode needs PostgreSQL (the embedded database is one process): this suite runs in `npm run test:pg`. */
const onPostgres = process.env.E2E_DATABASE === 'postgres' ? describe : describe.skip;

const ready = async (node: ExchangeProcess) => (await recordedRequest(node.url).get('/ready')).body;

/**
 * Several nodes on one PostgreSQL, without Kafka (followers read the leader's stream directly): exactly one
 * leads, every node serves, and a follower takes over when the leader dies (test/kafka runs the same with Kafka).
 */
onPostgres('nodes on one database, followers on the direct stream: failover', () => {
  failoverSuite({}, CYCLES);
});

/** A leader paused past its lease commits nothing when it resumes, and steps down. */
onPostgres('nodes on one database: fencing', () => {
  let database: TestDatabase;
  let nodes: ExchangeProcess[] = [];
  let buyer: string;

  beforeAll(async () => {
    database = await freshDatabase();
    nodes = await Promise.all(
      [0, 1, 2].map(() => ExchangeProcess.start(database, { PROVISIONER: 'instant' })),
    );
    const created = await recordedRequest(nodes[0].url)
      .post('/v1/admin/accounts')
      .set('Authorization', `Bearer ${nodes[0].adminKey}`)
      .send({ name: 'buyer', scopes: ['trade', 'read'] })
      .expect(201);
    await recordedRequest(nodes[0].url)
      .post(`/v1/admin/accounts/${created.body.id}/deposits`)
      .set('Authorization', `Bearer ${nodes[0].adminKey}`)
      .send({ amount: '10000' })
      .expect(201);
    buyer = `Bearer ${created.body.apiKey}`;
  });

  afterAll(async () => {
    for (const node of nodes) {
      node.signal('SIGCONT');
      await node.stop('SIGKILL');
    }
    await database?.drop();
  });

  it('a key revoked through one node is refused on every node, and its sessions on other nodes close', async () => {
    const key = await recordedRequest(nodes[0].url)
      .post('/v1/account/api-keys')
      .set('Authorization', buyer)
      .send({ label: 'short-lived', scopes: ['read'] })
      .expect(201);
    const sessions = await Promise.all(
      nodes.slice(1).map(async (node) => {
        const client = await WsClient.connect(node.url);
        expect(await client.request({ op: 'auth', apiKey: key.body.apiKey })).toMatchObject({
          type: 'authenticated',
        });
        return client;
      }),
    );
    await recordedRequest(nodes[0].url)
      .delete(`/v1/account/api-keys/${key.body.id}`)
      .set('Authorization', buyer)
      .expect(200);
    for (const client of sessions) {
      for (const deadline = Date.now() + 2000; !client.closed && Date.now() < deadline;)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(client.closed).toEqual({ code: 4401, reason: 'API key revoked' });
    }
    for (const node of nodes)
      await recordedRequest(node.url)
        .get('/v1/account')
        .set('Authorization', `Bearer ${key.body.apiKey}`)
        .expect(401);
  });

  it("a cluster's inventory reported through one node bounds its sells on every node", async () => {
    const admin = `Bearer ${nodes[0].adminKey}`;
    const account = await recordedRequest(nodes[0].url)
      .post('/v1/admin/accounts')
      .set('Authorization', admin)
      .send({ name: 'seller', scopes: ['sell', 'read'] })
      .expect(201);
    const key = `Bearer ${account.body.apiKey}`;
    const cluster = (
      await recordedRequest(nodes[0].url)
        .post('/v1/clusters')
        .set('Authorization', key)
        .send({
          name: 'c',
          gpu: 'H100-SXM',
          region: 'us-east',
          gpuCount: 64,
          webhookUrl: 'http://127.0.0.1:9/h',
        })
        .expect(201)
    ).body;
    const sell = (node: ExchangeProcess) =>
      recordedRequest(node.url).post('/v1/orders').set('Authorization', key).send({
        symbol: SYMBOL,
        side: 'sell',
        type: 'limit',
        price: '3.00',
        quantity: 16,
        clusterId: cluster.id,
      });
    const body = JSON.stringify({
      clusterId: cluster.id,
      gpus: 16,
      offerable: 8,
      nodes: [
        { name: 'gpu-1', gpus: 8, state: 'IDLE', usable: true },
        { name: 'gpu-2', gpus: 8, state: 'IDLE+DRAIN', usable: false },
      ],
    });
    await recordedRequest(nodes[2].url)
      .post('/v1/provisioning/inventory')
      .set({
        'content-type': 'application/json',
        ...signedHeaders(cluster.webhookSecret, 'msg_inventory', body),
      })
      .send(body)
      .expect(200);
    await new Promise((resolve) => setTimeout(resolve, 300)); // NOTIFY reaches the other nodes
    for (const node of nodes) {
      const refused = await sell(node);
      expect([node.url, refused.status, refused.body.error?.code]).toEqual([
        node.url,
        400,
        'INSUFFICIENT_CAPACITY',
      ]);
    }
    const open = await recordedRequest(nodes[0].url)
      .get('/v1/orders?status=open')
      .set('Authorization', key)
      .expect(200);
    expect(open.body).toEqual([]);
  });

  it('a leader paused past its lease commits nothing when it resumes, and steps down', async () => {
    let paused: ExchangeProcess | null = null;
    for (const node of nodes) if ((await ready(node)).role === 'leader') paused = node;
    paused = paused as ExchangeProcess;
    const { epoch } = await ready(paused);
    paused.signal('SIGSTOP');
    // Orders sent to the paused leader wait in its socket; meanwhile another node takes over.
    const late = ['late-1', 'late-2', 'late-3'].map((clientOrderId) =>
      recordedRequest((paused as ExchangeProcess).url)
        .post('/v1/orders')
        .set('Authorization', buyer)
        .send({ ...BUY, clientOrderId })
        .then(
          (res) => res.status,
          () => 'connection lost',
        ),
    );
    const others = nodes.filter((n) => n !== paused);
    let successor: ExchangeProcess | null = null;
    for (const deadline = Date.now() + 15_000; !successor && Date.now() < deadline;) {
      for (const node of others) if ((await ready(node)).role === 'leader') successor = node;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(successor).not.toBeNull();
    expect((await ready(successor as ExchangeProcess)).epoch).toBeGreaterThan(epoch);
    paused.signal('SIGCONT');
    const answers = await Promise.all(late);
    expect(answers.every((a) => a !== 201)).toBe(true);
    expect(await paused.exited()).toBe(3);
    nodes = others;
    const orders = await recordedRequest((successor as ExchangeProcess).url)
      .get('/v1/orders?limit=1000')
      .set('Authorization', buyer)
      .expect(200);
    expect(
      orders.body.filter((o: { clientOrderId: string }) => o.clientOrderId?.startsWith('late-')),
    ).toEqual([]);
  });
});
