import Decimal from 'decimal.js';
import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { Api } from '../support/api';
import { agentSeller, eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const FIRM = 'H100-SXM.us-east.firm';

type Lease = { id: string; status: string; quantity: number; startAt: string | null; endedAt: string | null };

/** Each seller's public delivery record, from leases that went every way a lease can go. */
describe("sellers' delivery records", () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let agent: ClusterAgent;
  let seller: { id: string; key: string; cluster: string };
  let buyer: { id: string; key: string };

  const lease = async (id: string): Promise<Lease> =>
    (await api.http.get(`/v1/leases/${id}`).set('Authorization', buyer.key).expect(200)).body;
  const leaseWhen = (id: string, status: string) =>
    eventually(
      async () => ((await lease(id)).status === status ? lease(id) : null),
      15_000,
      `${id} ${status}`,
    );
  const advance = (seconds: number) =>
    api.http.post('/v1/admin/clock/advance').set('Authorization', api.admin()).send({ seconds }).expect(200);
  async function trade(hours: number): Promise<string> {
    await api.http
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
      .expect(201);
    const buy = await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol: FIRM, side: 'buy', type: 'limit', price: '2.00', quantity: 8, durationHours: hours })
      .expect(201);
    const fills = (await api.http.get('/v1/fills?limit=5').set('Authorization', buyer.key).expect(200)).body;
    return fills.find((f: { orderId: string }) => f.orderId === buy.body.id).leaseId;
  }

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      TEST_CLOCK: 'true',
      PROVISIONING_RETRY_BASE_MS: '200',
      PROVISIONING_RETRY_MAX_MS: '400',
      PROVISIONING_TIMEOUT_MS: '1000',
    });
    api = new Api(exchange);
    ({ agent, seller } = await agentSeller(api, exchange.url, 'Neocloud', {
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 64,
    }));
    await api.http
      .post(`/v1/admin/accounts/${seller.id}/deposits`)
      .set('Authorization', api.admin())
      .send({ amount: '100' })
      .expect(201);
    buyer = await api.account('AI lab', ['trade', 'read'], '100000');
  });

  afterAll(async () => {
    await agent?.stop();
    await exchange?.stop();
    await database?.drop();
  });

  it('counts what was delivered, failed, lost and credited, on time or not, checked or not', async () => {
    const verified = await trade(1);
    await leaseWhen(verified, 'active');
    agent.behavior = { ...agent.behavior, checks: 'none' };
    const unverified = await trade(1);
    await leaseWhen(unverified, 'active');
    agent.behavior = { ...agent.behavior, checks: 'fail' };
    const failed = await trade(1);
    await leaseWhen(failed, 'failed');
    // The cluster is degraded just after the lease fails (its answer is recorded first): restore it once it is.
    await eventually(
      async () =>
        (await api.http.get('/v1/clusters').set('Authorization', seller.key).expect(200)).body.some(
          (c: { id: string; status: string }) => c.id === seller.cluster && c.status === 'degraded',
        ),
      15_000,
      'the cluster to be degraded',
    );
    await api.http
      .post(`/v1/clusters/${seller.cluster}/restore`)
      .set('Authorization', seller.key)
      .expect(200);
    // Activated 11 minutes after its trade: 1 minute later than the market's 10.
    agent.behavior = { mode: 'hang', delayMs: 0, failNext: 0, checks: 'pass' };
    const late = await trade(2);
    await eventually(async () => agent.received.some((r) => r.leaseId === late), 15_000, 'the provision');
    await advance(660);
    agent.behavior = { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' };
    await leaseWhen(late, 'active');
    const lost = await trade(2);
    await leaseWhen(lost, 'active');
    await advance(1800);
    await agent.lose(lost, 'node drained');
    await leaseWhen(lost, 'interrupted');
    await advance(3600); // the 1-hour leases end; the late one is still active
    await leaseWhen(verified, 'ended');
    await leaseWhen(unverified, 'ended');

    const { body } = await api.http.get(`/v1/sellers/${seller.id}/reliability`).expect(200);
    const leases = await Promise.all([verified, unverified, late, lost].map(lease));
    const asOf = Date.parse(body.asOf);
    const gpuHours = leases.reduce((sum, l) => {
      const end = Math.min(
        l.endedAt ? Date.parse(l.endedAt) : asOf,
        Date.parse(l.startAt as string) + (l.id === late || l.id === lost ? 2 : 1) * 3_600_000,
      );
      return sum + (l.quantity * (end - Date.parse(l.startAt as string))) / 3_600_000;
    }, 0);
    expect(body).toMatchObject({
      sellerId: seller.id,
      leases: 5,
      delivered: 2,
      active: 1,
      failed: 1,
      interrupted: 0,
      lost: 1,
      // The failed check (8 GPU-hours), the lost lease (its undelivered hours) and the late one (1 minute of 8
      // GPUs, paid when it settles: not yet).
      credited: 2,
      verified: 3,
      unverified: 1,
      onTimeActivationPct: 75,
    });
    expect(Number(body.gpuHoursDelivered)).toBeCloseTo(gpuHours, 3);
    expect(body.medianSecondsToActive).toBeLessThan(60);
    expect(body.clusters).toEqual([
      expect.objectContaining({ clusterId: seller.cluster, leases: 5, failed: 1, lost: 1, status: 'active' }),
    ]);
    const market = (await api.http.get(`/v1/markets/${FIRM}/reliability`).expect(200)).body;
    expect(market).toMatchObject({ symbol: FIRM, leases: 5, lost: 1 });
    expect(market.sellers).toEqual([
      expect.objectContaining({ sellerId: seller.id, leases: 5, credited: 2 }),
    ]);

    await api.http.post(`/v1/leases/${late}/release`).set('Authorization', buyer.key).expect(200);
    const after = (await api.http.get(`/v1/sellers/${seller.id}/reliability`).expect(200)).body;
    expect(after).toMatchObject({ delivered: 3, active: 0, credited: 3 });
    // What the seller paid in credits, to the last digit: the sum of its leases' credits.
    const settled = await Promise.all(
      [verified, unverified, failed, late, lost].map(
        async (id) =>
          (await api.http.get(`/v1/leases/${id}`).set('Authorization', buyer.key).expect(200)).body
            .settlement,
      ),
    );
    const paid = settled.reduce((sum, x) => sum.plus(x?.credited ?? 0), new Decimal(0));
    expect(after.creditsPaid).toBe(paid.toFixed());
    expect(paid.gt(0)).toBe(true);
  });

  it('answers NOT_FOUND for an account with no cluster, and UNKNOWN_SYMBOL for a market that does not exist', async () => {
    for (const id of [buyer.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const { body } = await api.http.get(`/v1/sellers/${id}/reliability`).expect(404);
      expect(body.error.code).toBe('NOT_FOUND');
    }
    const { body } = await api.http.get('/v1/markets/TPU.nowhere.firm/reliability').expect(404);
    expect(body.error.code).toBe('UNKNOWN_SYMBOL');
  });
});
