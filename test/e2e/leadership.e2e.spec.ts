import request from 'supertest';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const SYMBOL = 'H100-SXM.us-east.firm';
const BUY = { symbol: SYMBOL, side: 'buy', type: 'limit', price: '1.00', quantity: 8, durationHours: 1 };
const CYCLES = Number(process.env.FAILOVER_CYCLES ?? 20);
/** Cluster mode needs PostgreSQL (the embedded database is one process): this suite runs in `npm run test:pg`. */
const onPostgres = process.env.E2E_DATABASE === 'postgres' ? describe : describe.skip;

const admin = (node: ExchangeProcess) => `Bearer ${node.adminKey}`;
const ready = async (node: ExchangeProcess) => (await request(node.url).get('/ready')).body;

/**
 * Several nodes on one PostgreSQL: exactly one leads (the single writer), fenced by an epoch checked in the
 * database; a follower takes over when the leader dies, from the database, with nothing acknowledged lost; a
 * leader paused past its lease commits nothing when it resumes, and steps down.
 */
onPostgres('nodes on one database: one leader, fenced, and failover', () => {
  let database: TestDatabase;
  let nodes: ExchangeProcess[] = [];
  let buyer: string;
  const acked: { id: string; clientOrderId: string }[] = [];
  let sequence = 0;

  const start = (follower = true) =>
    ExchangeProcess.start(database, { PROVISIONER: 'instant' }, { follower });
  const leader = async () => {
    for (const node of nodes) if ((await ready(node).catch(() => null))?.role === 'leader') return node;
    return null;
  };
  /** An order through whichever node takes it (a client behind a load balancer that checks /ready). */
  const placeSomewhere = async (): Promise<{ id: string; clientOrderId: string } | null> => {
    const clientOrderId = `c${++sequence}`;
    for (const node of nodes) {
      const res = await request(node.url)
        .post('/v1/orders')
        .set('Authorization', buyer)
        .send({ ...BUY, clientOrderId })
        .timeout(10_000)
        .catch(() => null); // a node that is down, or one killed mid-request
      if (res?.status === 201) return { id: res.body.id, clientOrderId };
    }
    return null;
  };

  beforeAll(async () => {
    database = await freshDatabase();
    // Three nodes started at once on a fresh database: they run the migrations one after the other.
    nodes = await Promise.all([start(), start(), start()]);
    let leading: ExchangeProcess | null = null;
    for (const deadline = Date.now() + 15_000; !leading && Date.now() < deadline;) leading = await leader();
    await (leading as ExchangeProcess).serving();
    leading = leading as ExchangeProcess;
    const created = await request(leading.url)
      .post('/v1/admin/accounts')
      .set('Authorization', admin(leading))
      .send({ name: 'buyer', scopes: ['trade', 'read'] })
      .expect(201);
    await request(leading.url)
      .post(`/v1/admin/accounts/${created.body.id}/deposits`)
      .set('Authorization', admin(leading))
      .send({ amount: '10000000' })
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

  it('exactly one node leads; followers say so in /ready and serve no clients yet', async () => {
    const states = await Promise.all(nodes.map(ready));
    expect(states.filter((s) => s.role === 'leader')).toHaveLength(1);
    const leading = states.find((s) => s.role === 'leader');
    expect(leading).toMatchObject({ status: 'ready', epoch: expect.any(Number), database: 'up' });
    const leaderNode = nodes[states.indexOf(leading)];
    for (const [i, state] of states.entries()) {
      if (state.role === 'leader') continue;
      expect(state).toMatchObject({
        status: 'standby',
        role: 'follower',
        epoch: leading.epoch,
        leader: leaderNode.url,
      });
      const refused = await request(nodes[i].url).get('/v1/account').set('Authorization', buyer).expect(503);
      expect(refused.body.error.code).toBe('UNAVAILABLE');
      await request(nodes[i].url).get('/ready').expect(503);
      const client = await WsClient.connect(nodes[i].url);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(client.closed).toEqual({ code: 1013, reason: 'this node is a standby' });
    }
  });

  it(
    `survives the leader killed ${CYCLES} times in a row: nothing acknowledged is lost, epochs only grow`,
    async () => {
      const takeovers: number[] = [];
      let lastEpoch = (await ready((await leader()) as ExchangeProcess)).epoch;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        for (let i = 0; i < 5; i++) {
          const placed = await placeSomewhere();
          expect(placed).not.toBeNull();
          acked.push(placed as { id: string; clientOrderId: string });
        }
        const victim = (await leader()) as ExchangeProcess;
        victim.signal('SIGKILL');
        const killedAt = Date.now();
        await victim.exited();
        nodes = nodes.filter((n) => n !== victim);
        let placed: { id: string; clientOrderId: string } | null = null;
        while (!placed && Date.now() - killedAt < 30_000) placed = await placeSomewhere();
        expect(placed).not.toBeNull();
        takeovers.push(Date.now() - killedAt);
        acked.push(placed as { id: string; clientOrderId: string });
        const leading = (await leader()) as ExchangeProcess;
        const state = await ready(leading);
        expect(state.epoch).toBeGreaterThan(lastEpoch);
        lastEpoch = state.epoch;
        // Every acknowledged order is there, on the new leader; the ledger balances.
        const orders = await request(leading.url)
          .get('/v1/orders?limit=1000')
          .set('Authorization', buyer)
          .expect(200);
        const ids = new Set(orders.body.map((o: { id: string }) => o.id));
        expect(acked.filter((a) => !ids.has(a.id))).toEqual([]);
        const audit = await request(leading.url)
          .get('/v1/admin/ledger/audit')
          .set('Authorization', admin(leading));
        expect(audit.body.balanced).toBe(true);
        nodes.push(await start()); // the supervisor starts the dead node again: a follower now
      }
      const sorted = [...takeovers].sort((a, b) => a - b);
      console.log(
        `failover, kill to first acknowledged order, ${CYCLES} cycles: median ${sorted[Math.floor(sorted.length / 2)]} ms, ` +
          `max ${sorted[sorted.length - 1]} ms (all: ${takeovers.join(', ')})`,
      );
    },
    30_000 * CYCLES,
  );

  it('a leader paused past its lease commits nothing when it resumes, and steps down', async () => {
    const paused = (await leader()) as ExchangeProcess;
    const { epoch } = await ready(paused);
    paused.signal('SIGSTOP');
    // Orders sent to the paused leader wait in its socket; meanwhile another node takes over.
    const late = ['late-1', 'late-2', 'late-3'].map((clientOrderId) =>
      request(paused.url)
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
    const orders = await request((successor as ExchangeProcess).url)
      .get('/v1/orders?limit=1000')
      .set('Authorization', buyer)
      .expect(200);
    expect(
      orders.body.filter((o: { clientOrderId: string }) => o.clientOrderId?.startsWith('late-')),
    ).toEqual([]);
  });
});
