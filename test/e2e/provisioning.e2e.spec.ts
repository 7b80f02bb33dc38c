import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { signedHeaders } from '../../src/provisioning/webhook-signature';
import { Api } from '../support/api';
import { agentSeller, eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { WsClient } from '../support/ws-client';

const FIRM = 'H100-SXM.us-east.firm';
const INT = 'H100-SXM.us-east.int';

type Lease = Record<string, unknown> & { id: string; status: string };

/** The provisioning hook end to end: the real exchange calling the reference cluster agent on 127.0.0.1. */
describe('provisioning through the cluster webhook', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let agent: ClusterAgent;
  let seller: { id: string; key: string; cluster: string; webhookSecret: string };
  let buyer: { id: string; key: string };
  const env = {
    TEST_CLOCK: 'true',
    PROVISIONING_DEADLINE_SECONDS: '600',
    PROVISIONING_RETRY_BASE_MS: '200',
    PROVISIONING_RETRY_MAX_MS: '800',
    PROVISIONING_TIMEOUT_MS: '1000',
  };

  const lease = async (id: string, key = buyer.key): Promise<Lease> =>
    (await api.http.get(`/v1/leases/${id}`).set('Authorization', key).expect(200)).body;
  const leaseWhen = (id: string, status: string) =>
    eventually(
      async () => {
        const l = await lease(id);
        return l.status === status ? l : null;
      },
      15_000,
      `lease ${id} to be ${status}`,
    );
  const balance = async (key: string) =>
    (await api.http.get('/v1/account').set('Authorization', key).expect(200)).body.balance;
  const advance = (seconds: number) =>
    api.http.post('/v1/admin/clock/advance').set('Authorization', api.admin()).send({ seconds }).expect(200);
  const requestsFor = (leaseId: string, type = 'lease.provision') =>
    agent.received.filter((r) => r.leaseId === leaseId && r.type === type);

  /** The lease's webhook deliveries as the seller sees them, once none is pending (closes are recorded lazily). */
  const closedDeliveries = (id: string) =>
    eventually(async () => {
      const { body } = await api.http
        .get(`/v1/leases/${id}/deliveries`)
        .set('Authorization', seller.key)
        .expect(200);
      return body.every((d: { status: string }) => d.status !== 'pending') ? body : null;
    });

  /** A sell of the seller's cluster and a crossing buy; returns the id of the lease the trade opened. */
  async function trade(
    symbol: string,
    quantity: number,
    hours: number,
    who: { key: string; cluster: string } = seller,
  ): Promise<string> {
    await api.http
      .post('/v1/orders')
      .set('Authorization', who.key)
      .send({ symbol, side: 'sell', type: 'limit', price: '2.00', quantity, clusterId: who.cluster })
      .expect(201);
    const buy = await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol, side: 'buy', type: 'limit', price: '2.00', quantity, durationHours: hours })
      .expect(201);
    const fills = (await api.http.get('/v1/fills?limit=5').set('Authorization', buyer.key).expect(200)).body;
    return fills.find((f: { orderId: string }) => f.orderId === buy.body.id).leaseId;
  }

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, env);
    api = new Api(exchange);
    ({ agent, seller } = await agentSeller(api, exchange.url, 'Neocloud', {
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 64,
    }));
    buyer = await api.account('AI lab', ['trade', 'read'], '100000');
  });

  afterAll(async () => {
    await agent?.stop();
    await exchange?.stop();
    await database?.drop();
  });

  beforeEach(() => {
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' };
  });

  afterEach(async () => {
    const audit = await api.http.get('/v1/admin/ledger/audit').set('Authorization', api.admin()).expect(200);
    expect(audit.body).toEqual({ balanced: true, problems: [] });
  });

  it('sync: the cluster answers 200 with access; paid time starts then; only the buyer sees the access', async () => {
    const buyerWs = await WsClient.connect(exchange.url);
    const sellerWs = await WsClient.connect(exchange.url);
    await buyerWs.request({ op: 'auth', apiKey: buyer.key.replace('Bearer ', '') });
    await sellerWs.request({ op: 'auth', apiKey: seller.key.replace('Bearer ', '') });
    await buyerWs.request({ op: 'subscribe', channel: 'leases' });
    await sellerWs.request({ op: 'subscribe', channel: 'leases' });

    const id = await trade(FIRM, 8, 3);
    const active = await leaseWhen(id, 'active');
    const access = active.access as { ssh: { host: string }; kubernetes: { kubeconfig: string } };
    expect(access.ssh.host).toBe('login.test.internal');
    expect(access.kubernetes.kubeconfig).toContain('token');
    expect(Date.parse(active.endAt as string) - Date.parse(active.startAt as string)).toBe(3 * 3600_000);
    expect(Date.parse(active.startAt as string)).toBeGreaterThanOrEqual(
      Date.parse(active.provisionDeadline as string) - 600_000,
    );
    // The seller sees the lease, not the buyer's credentials.
    expect(await lease(id, seller.key)).not.toHaveProperty('access');
    expect(
      (await api.http.get('/v1/leases').set('Authorization', seller.key).expect(200)).body.find(
        (l: Lease) => l.id === id,
      ),
    ).not.toHaveProperty('access');

    const buyerSaw = await buyerWs.seen((m) => (m.lease as Lease | undefined)?.status === 'active');
    expect((buyerSaw.lease as Lease).access).toEqual(active.access);
    const sellerSaw = await sellerWs.seen((m) => (m.lease as Lease | undefined)?.status === 'active');
    expect(sellerSaw.lease).not.toHaveProperty('access');
    // The reference agent reports its acceptance checks: the lease shows them being run before it is active.
    expect(buyerWs.on('leases').map((m) => (m.lease as Lease).status)).toEqual([
      'provisioning',
      'verifying',
      'active',
    ]);
    buyerWs.close();
    sellerWs.close();

    expect(requestsFor(id)).toHaveLength(1);
    expect(agent.inventory.held()).toContainEqual({ leaseId: id, gpus: expect.any(Array) });
    // Events carry the lease without its access details.
    const events = (
      await api.http.get('/v1/admin/events?limit=1000').set('Authorization', api.admin()).expect(200)
    ).body.filter((e: { key: string }) => e.key === id);
    expect(events.map((e: { event: { type: string } }) => e.event.type)).toEqual([
      'lease.provisioning',
      'lease.verifying',
      'lease.active',
    ]);
    expect(JSON.stringify(events)).not.toContain('kubeconfig');
    await api.http.post(`/v1/leases/${id}/release`).set('Authorization', buyer.key).expect(200);
  });

  it('a failed acceptance check: a full refund and a credit; the cluster is degraded and takes no new sells', async () => {
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 0, checks: 'fail' };
    const before = await balance(buyer.key);
    const id = await trade(FIRM, 8, 1);
    const failed = await leaseWhen(id, 'failed');
    expect(failed).toMatchObject({
      failureReason: 'the acceptance checks failed: they found 7 GPUs, the lease bought 8',
      verified: false,
      checks: { passed: false, gpus: 7 },
      // 8 GPU-hours undelivered x 2.00 x 10%.
      settlement: { paid: '0', refunded: '16', credited: '1.6' },
    });
    expect(await balance(buyer.key)).toEqual({
      ...before,
      available: String(Number(before.available) + 1.6),
    });
    // Degraded just after the lease fails (the cluster's answer is recorded first).
    const mine = async () =>
      (await api.http.get('/v1/clusters').set('Authorization', seller.key).expect(200)).body.find(
        (c: { id: string }) => c.id === seller.cluster,
      );
    const degraded = await eventually(async () => ((await mine()).status === 'degraded' ? mine() : null));
    expect(degraded).toMatchObject({
      status: 'degraded',
      degradedReason: `acceptance checks failed on lease ${id}`,
    });
    const refused = await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({
        symbol: FIRM,
        side: 'sell',
        type: 'limit',
        price: '2.00',
        quantity: 8,
        clusterId: seller.cluster,
      })
      .expect(409);
    expect(refused.body.error.code).toBe('CLUSTER_DEGRADED');
    // Operators see it in the metrics.
    const metrics = (await api.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^exchange_acceptance_checks_total\{result="failed"\} 1$/m);
    expect(metrics).toMatch(/^exchange_acceptance_checks_total\{result="passed"\} [1-9]/m);
    expect(metrics).toMatch(/^exchange_sla_credits_usd_total\{reason="not_delivered"\} 1\.6$/m);
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' };
    await api.http
      .post(`/v1/clusters/${seller.cluster}/restore`)
      .set('Authorization', seller.key)
      .expect(200);
  });

  it("a cluster that loses an active lease's GPUs: it ends, billed to the GPU-second, and the buyer is credited", async () => {
    const before = await balance(buyer.key);
    const id = await trade(FIRM, 8, 2);
    const active = await leaseWhen(id, 'active');
    await advance(1800);
    await agent.lose(id, 'node gpu-1 drained');
    const lost = await leaseWhen(id, 'interrupted');
    expect(lost.failureReason).toBe("the cluster lost the lease's GPUs: node gpu-1 drained");
    // The formula, from the exchange's own times: GPU-hours delivered to 4 decimals, rounded down.
    const ms = Date.parse(lost.endedAt as string) - Date.parse(active.startAt as string);
    const delivered = Math.floor(((8 * ms) / 3_600_000) * 10_000) / 10_000;
    const paid = 2 * delivered;
    const undelivered = 16 - delivered;
    const credit = undelivered * 2 * 0.1;
    const cents = (x: number) => x.toFixed(2);
    const settlement = lost.settlement as Record<string, string>;
    expect(cents(Number(settlement.paid))).toBe(cents(paid));
    expect(cents(Number(settlement.refunded))).toBe(cents(32 - paid));
    expect(cents(Number(settlement.credited))).toBe(cents(credit));
    const after = await balance(buyer.key);
    expect(cents(Number(after.available) - Number(before.available))).toBe(cents(-paid + credit));
    const [event] = (
      await api.http
        .get('/v1/admin/events?type=settlement.credited&limit=1000')
        .set('Authorization', api.admin())
        .expect(200)
    ).body.filter((e: { event: { data: { leaseId: string } } }) => e.event.data.leaseId === id);
    expect(event.event.data).toMatchObject({
      accountId: buyer.id,
      amount: settlement.credited,
      credit: {
        reason: 'ended_early',
        undeliveredGpuHours: String(Number(undelivered.toFixed(4))),
        creditBps: 1000,
      },
    });
  });

  it("sends the buyer's SSH public key with the provision; the cluster puts it in the access", async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdC1hLXJlYWwta2V5LWp1c3QtYS10ZXN0 alice@lab';
    const bad = await api.http
      .put('/v1/account/ssh-key')
      .set('Authorization', buyer.key)
      .send({ sshPublicKey: 'not a key' })
      .expect(400);
    expect(bad.body.error.code).toBe('INVALID_REQUEST');
    await api.http
      .put('/v1/account/ssh-key')
      .set('Authorization', buyer.key)
      .send({ sshPublicKey: key })
      .expect(200);
    expect(
      (await api.http.get('/v1/account').set('Authorization', buyer.key).expect(200)).body.sshPublicKey,
    ).toBe(key);
    const id = await trade(FIRM, 8, 1);
    const active = await leaseWhen(id, 'active');
    expect((active.access as { ssh: { authorizedKey: string } }).ssh.authorizedKey).toBe(key);
    await api.http.delete('/v1/account/ssh-key').set('Authorization', buyer.key).expect(200);
    expect(
      (await api.http.get('/v1/account').set('Authorization', buyer.key).expect(200)).body.sshPublicKey,
    ).toBeNull();
    await api.http.post(`/v1/leases/${id}/release`).set('Authorization', buyer.key).expect(200);
  });

  it('async: the cluster answers 202, then calls back signed; the lease is active from the callback', async () => {
    agent.behavior = { mode: 'async', delayMs: 300, failNext: 0, checks: 'pass' };
    const id = await trade(FIRM, 8, 2);
    const active = await leaseWhen(id, 'active');
    expect(requestsFor(id).map((r) => r.answer)).toEqual([202]);
    expect((active.access as { gpus: number[] }).gpus).toHaveLength(8);
    await api.http.post(`/v1/leases/${id}/release`).set('Authorization', buyer.key).expect(200);
  });

  it('a cluster that fails twice then succeeds gets the same webhook-id each time and allocates once', async () => {
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 2, checks: 'pass' };
    const id = await trade(FIRM, 8, 2);
    await leaseWhen(id, 'active');
    const requests = requestsFor(id);
    expect(requests.map((r) => r.answer)).toEqual([503, 503, 200]);
    expect(new Set(requests.map((r) => r.id)).size).toBe(1);
    expect(agent.inventory.held().filter((a) => a.leaseId === id)).toHaveLength(1);
    const deliveries = await closedDeliveries(id);
    expect(deliveries).toEqual([
      expect.objectContaining({
        id: requests[0].id,
        type: 'lease.provision',
        status: 'delivered',
        attempts: 3,
      }),
    ]);
    await api.http.get(`/v1/leases/${id}/deliveries`).set('Authorization', buyer.key).expect(403);
    await api.http.post(`/v1/leases/${id}/release`).set('Authorization', buyer.key).expect(200);
  });

  it('a cluster that never answers: the lease fails at the deadline and the buyer is refunded exactly', async () => {
    agent.behavior = { mode: 'hang', delayMs: 0, failNext: 0, checks: 'pass' };
    const before = await balance(buyer.key);
    const id = await trade(FIRM, 8, 3);
    // 8 GPUs x 3 h x 2.00 = 48 USD in escrow while the cluster is asked, again and again (1 s timeouts).
    expect(await balance(buyer.key)).toEqual({
      available: String(Number(before.available) - 48),
      held: before.held,
      escrow: String(Number(before.escrow) + 48),
    });
    await eventually(async () => requestsFor(id).length >= 2, 15_000, 'a retry');
    expect((await lease(id)).status).toBe('provisioning');
    // The seller sees what is stuck on its cluster, and why.
    const stuck = (
      await api.http
        .get(`/v1/clusters/${seller.cluster}/deliveries?status=pending`)
        .set('Authorization', seller.key)
        .expect(200)
    ).body.filter((d: { leaseId: string }) => d.leaseId === id);
    expect(stuck).toEqual([
      expect.objectContaining({
        type: 'lease.provision',
        status: 'pending',
        lastError: 'timeout',
      }),
    ]);
    expect(stuck[0].attempts).toBeGreaterThanOrEqual(1);
    const backlog = (
      await api.http.get('/v1/admin/provisioning/backlog').set('Authorization', api.admin()).expect(200)
    ).body;
    expect(backlog).toContainEqual(
      expect.objectContaining({ clusterId: seller.cluster, type: 'lease.provision', pending: 1 }),
    );
    await api.http.get('/v1/admin/provisioning/backlog').set('Authorization', seller.key).expect(403);
    await api.http
      .get(`/v1/clusters/${seller.cluster}/deliveries?status=stuck`)
      .set('Authorization', seller.key)
      .expect(400);
    await advance(600);
    const failed = await leaseWhen(id, 'failed');
    expect(failed).toMatchObject({
      failureReason: expect.stringContaining('deadline'),
      settlement: { paid: '0', fee: '0', refunded: '48', credited: '4.8' },
    });
    // Refunded in full, and credited by the seller: 24 GPU-hours undelivered x 2.00 x the market's 10%.
    expect(await balance(buyer.key)).toEqual({
      ...before,
      available: String(Number(before.available) + 4.8),
    });
    const credits = (
      await api.http
        .get('/v1/admin/events?type=settlement.credited&limit=1000')
        .set('Authorization', api.admin())
        .expect(200)
    ).body.filter((e: { event: { data: { leaseId: string } } }) => e.event.data.leaseId === id);
    expect(credits.map((e: { event: { data: unknown } }) => e.event.data)).toEqual([
      expect.objectContaining({
        accountId: buyer.id,
        amount: '4.8',
        credit: {
          reason: 'not_delivered',
          undeliveredGpuHours: '24',
          price: '2',
          creditBps: 1000,
          penalty: '4.8',
          cap: expect.any(String),
        },
      }),
    ]);
    const refunds = (
      await api.http
        .get('/v1/admin/events?type=settlement.refunded&limit=1000')
        .set('Authorization', api.admin())
        .expect(200)
    ).body.filter((e: { event: { data: { leaseId: string } } }) => e.event.data.leaseId === id);
    expect(refunds.map((e: { event: { data: { amount: string } } }) => e.event.data.amount)).toEqual(['48']);
    expect(
      (
        await api.http.get('/v1/admin/events?type=lease.failed&limit=1000').set('Authorization', api.admin())
      ).body.some((e: { key: string }) => e.key === id),
    ).toBe(true);
    // Once the cluster answers again: it is told to take back whatever it set up, and never allocates the lease.
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' };
    await eventually(
      async () => requestsFor(id, 'lease.deprovision').some((r) => r.answer === 200),
      15_000,
      'the deprovision',
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(requestsFor(id).every((r) => r.answer === null)).toBe(true);
    expect(agent.inventory.held().some((a) => a.leaseId === id)).toBe(false);
    // The failures were logged (without the cluster's secret, or the URL it could be part of).
    expect(exchange.log).toContain(`lease.provision`);
    expect(exchange.log).not.toContain(seller.webhookSecret.slice('whsec_'.length, 20));
    expect(exchange.log).not.toContain(agent.webhookUrl);
  });

  it('a cluster without the GPUs answers failed: the lease fails at once with a full refund', async () => {
    // A cluster that offers 16 GPUs but has only 4.
    const { agent: small, seller: other } = await agentSeller(
      api,
      exchange.url,
      'Small cloud',
      { gpu: 'H100-SXM', region: 'us-east', gpuCount: 16 },
      4,
    );
    try {
      const before = await balance(buyer.key);
      const id = await trade(FIRM, 8, 1, other);
      const failed = await leaseWhen(id, 'failed');
      expect(failed.failureReason).toContain('8 GPUs asked, 4 free');
      expect(await balance(buyer.key)).toEqual(before);
    } finally {
      await small.stop();
    }
  });

  it('refuses a callback whose signature does not verify, or that is a replay; takes a good one', async () => {
    agent.behavior = { mode: 'hang', delayMs: 0, failNext: 0, checks: 'pass' };
    const id = await trade(FIRM, 8, 1);
    const body = JSON.stringify({ leaseId: id, status: 'active', access: { ssh: 'forged' } });
    const signed = (secret: string, at: Date) => ({
      'content-type': 'application/json',
      ...signedHeaders(secret, `msg_${Date.now()}`, body, at),
    });
    const post = (headers: Record<string, string>) =>
      api.http.post('/v1/provisioning/callback').set(headers).send(body);

    const forged = await post(signed(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, new Date())).expect(
      401,
    );
    expect(forged.body.error.code).toBe('INVALID_SIGNATURE');
    const unsigned = await post({ 'content-type': 'application/json' }).expect(401);
    expect(unsigned.body.error.code).toBe('INVALID_SIGNATURE');
    const stale = await post(signed(seller.webhookSecret, new Date(Date.now() - 6 * 60_000))).expect(401);
    expect(stale.body.error.code).toBe('INVALID_SIGNATURE');
    const tampered = signed(seller.webhookSecret, new Date());
    await api.http
      .post('/v1/provisioning/callback')
      .set(tampered)
      .send(body.replace('forged', 'changed'))
      .expect(401);
    expect((await lease(id)).status).toBe('provisioning');
    // Until the cluster has handed the GPUs over, there is nothing to release or interrupt.
    const early = await api.http.post(`/v1/leases/${id}/release`).set('Authorization', buyer.key).expect(409);
    expect(early.body.error.code).toBe('LEASE_NOT_ACTIVE');

    const good = await post(signed(seller.webhookSecret, new Date())).expect(200);
    expect(good.body).toEqual({ leaseId: id, status: 'active' });
    expect((await lease(id)).access).toEqual({ ssh: 'forged' });
    await post(signed(seller.webhookSecret, new Date())).expect(200); // the same answer again changes nothing
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' };
    await api.http.post(`/v1/leases/${id}/release`).set('Authorization', buyer.key).expect(200);
  });

  it('deprovisions at the end, on release and after an interrupt notice', async () => {
    const ended = await trade(FIRM, 8, 2);
    const released = await trade(FIRM, 8, 2);
    const interrupted = await trade(INT, 8, 4);
    for (const id of [ended, released, interrupted]) await leaseWhen(id, 'active');
    const ws = await WsClient.connect(exchange.url);
    await ws.request({ op: 'auth', apiKey: buyer.key.replace('Bearer ', '') });
    await ws.request({ op: 'subscribe', channel: 'leases' });

    await api.http.post(`/v1/leases/${released}/release`).set('Authorization', buyer.key).expect(200);
    await eventually(
      async () => requestsFor(released, 'lease.deprovision').length > 0,
      15_000,
      'deprovision',
    );
    expect(agent.inventory.held().some((a) => a.leaseId === released)).toBe(false);

    await advance(3600);
    await api.http.post(`/v1/leases/${interrupted}/interrupt`).set('Authorization', seller.key).expect(200);
    // The buyer is told on its private channel, and keeps the GPUs until the notice runs out.
    const notice = await ws.seen(
      (m) => (m.lease as Lease | undefined)?.id === interrupted && !!(m.lease as Lease).interruptAt,
    );
    expect((notice.lease as Lease).status).toBe('active');
    expect(requestsFor(interrupted, 'lease.deprovision')).toHaveLength(0);
    await advance(3600); // past the firm lease's end and the interrupt's 15 minutes' notice
    expect((await leaseWhen(interrupted, 'interrupted')).settlement).toMatchObject({
      paid: '16',
      refunded: '48',
    });
    await leaseWhen(ended, 'ended');
    for (const id of [ended, interrupted]) {
      await eventually(async () => requestsFor(id, 'lease.deprovision').length > 0, 15_000, 'deprovision');
      expect(agent.inventory.held().some((a) => a.leaseId === id)).toBe(false);
    }
    ws.close();
  });

  it('a restart in the middle of a retry schedule resumes it, with the same webhook-id', async () => {
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 1_000, checks: 'pass' };
    const id = await trade(FIRM, 8, 1);
    await eventually(async () => requestsFor(id).length >= 2, 15_000, 'two attempts');
    await exchange.stop('SIGKILL');
    const before = requestsFor(id).length;
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' };
    exchange = await ExchangeProcess.start(database, env);
    api = new Api(exchange);
    await leaseWhen(id, 'active');
    const requests = requestsFor(id);
    expect(requests.length).toBe(before + 1);
    expect(new Set(requests.map((r) => r.id)).size).toBe(1);
    expect(agent.inventory.held().filter((a) => a.leaseId === id)).toHaveLength(1);
    const [delivery] = await closedDeliveries(id);
    // The attempts before the crash count: the schedule went on where it was.
    // An attempt cut off by the crash reached the agent but was never recorded, so `before` or `before + 1`.
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts).toBeGreaterThanOrEqual(before);
    expect(delivery.attempts).toBeLessThanOrEqual(before + 1);
  });
});
