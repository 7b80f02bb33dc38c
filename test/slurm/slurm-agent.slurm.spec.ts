import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedHeaders } from '../../src/provisioning/webhook-signature';
import { Api } from '../support/api';
import { eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { SlurmAgentProcess, freePort, slurm } from '../support/slurm-agent-process';

const FIRM = 'H100-SXM.us-east.firm';
const OUTSIDER = 'gpux-outsider';

type Lease = Record<string, unknown> & {
  id: string;
  status: string;
  access?: { slurm: { reservation: string; user: string; nodes: string[]; example: string } };
  settlement: Record<string, string> | null;
};

/**
 * The Slurm agent against a real Slurm (`npm run test:slurm`: scripts/slurm-local.sh starts munged, slurmctld and
 * two slurmd of 8 gres GPUs each, and sets SLURM_CONF), with the real exchange. Runs as root: the agent makes the
 * buyers' users and runs the checks' jobs as them.
 */
describe('the Slurm cluster agent', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let agent: SlurmAgentProcess;
  let agentEnv: Record<string, string>;
  let stateDir: string;
  let port: number;
  let seller: { id: string; key: string };
  let buyer: { id: string; key: string };
  let clusterId: string;

  const lease = async (id: string): Promise<Lease> =>
    (await api.http.get(`/v1/leases/${id}`).set('Authorization', buyer.key).expect(200)).body;
  const leaseWhen = (id: string, status: string, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const l = await lease(id);
        return l.status === status ? l : null;
      },
      timeoutMs,
      `lease ${id} to be ${status}`,
    );
  const advance = (seconds: number) =>
    api.http.post('/v1/admin/clock/advance').set('Authorization', api.admin()).send({ seconds }).expect(200);
  const balance = async (key: string) =>
    (await api.http.get('/v1/account').set('Authorization', key).expect(200)).body.balance;
  const cluster = async () =>
    (await api.http.get('/v1/clusters').set('Authorization', seller.key).expect(200)).body.find(
      (c: { id: string }) => c.id === clusterId,
    );
  const sell = (quantity: number, symbol = FIRM) =>
    api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({ symbol, side: 'sell', type: 'limit', price: '2.00', quantity, clusterId });
  const reservations = () => slurm('scontrol', 'show', 'reservation', '--oneliner');
  const nodeState = (node: string) =>
    /State=(\S+)/.exec(slurm('scontrol', 'show', 'node', node, '--oneliner'))?.[1];
  const setNode = (node: string, state: 'DRAIN' | 'RESUME') =>
    slurm(
      'scontrol',
      'update',
      `NodeName=${node}`,
      `State=${state}`,
      ...(state === 'DRAIN' ? ['Reason=test'] : []),
    );
  const resumeAll = async () => {
    for (const node of ['gpu-1', 'gpu-2']) if (/DRAIN/.test(nodeState(node) ?? '')) setNode(node, 'RESUME');
    await eventually(
      async () =>
        ['gpu-1', 'gpu-2'].every((n) => /^(IDLE|MIXED|ALLOCATED)(\+RESERVED)?$/.test(nodeState(n) ?? '')),
      30_000,
      'nodes back',
    );
    // The agent has reported them usable again.
    await eventually(async () => (await cluster()).inventory?.offerable === 16, 15_000, 'the inventory');
  };
  /** A sell of 8 GPUs and a buy that takes it for `hours`; returns the lease id. */
  async function trade(hours: number, symbol = FIRM): Promise<string> {
    await sell(8, symbol).expect(201);
    const buy = await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ symbol, side: 'buy', type: 'limit', price: '2.00', quantity: 8, durationHours: hours })
      .expect(201);
    const fills = (await api.http.get('/v1/fills?limit=5').set('Authorization', buyer.key).expect(200)).body;
    return fills.find((f: { orderId: string }) => f.orderId === buy.body.id).leaseId;
  }
  /** Runs `srun` as a user in a reservation: its output, or the error Slurm gave. */
  const srunAs = (user: string, reservation: string) => {
    try {
      return execFileSync(
        'runuser',
        [
          '-u',
          user,
          '--',
          'srun',
          `--reservation=${reservation}`,
          '--gres=gpu:8',
          'printenv',
          'CUDA_VISIBLE_DEVICES',
        ],
        { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] },
      ).trim();
    } catch (error) {
      return `refused: ${(error as { stderr?: string }).stderr ?? ''}`;
    }
  };

  beforeAll(async () => {
    try {
      execFileSync('id', ['-u', OUTSIDER], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['--create-home', OUTSIDER]);
    }
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      TEST_CLOCK: 'true',
      PROVISIONING_DEADLINE_SECONDS: '600',
      PROVISIONING_RETRY_BASE_MS: '200',
      PROVISIONING_RETRY_MAX_MS: '1000',
    });
    api = new Api(exchange);
    seller = await api.account('Slurm neocloud', ['sell', 'read'], '1000');
    buyer = await api.account('AI lab', ['trade', 'read'], '100000');
    stateDir = mkdtempSync(join(tmpdir(), 'slurm-agent-'));
    port = await freePort();
    agentEnv = {
      AGENT_EXCHANGE_URL: exchange.url,
      AGENT_API_KEY: seller.key.replace('Bearer ', ''),
      AGENT_GPU: 'H100-SXM',
      AGENT_REGION: 'us-east',
      SLURM_LOGIN_HOST: 'login.slurm.test',
      AGENT_CHECK_DELAY_MS: '1500',
      AGENT_MONITOR_MS: '300',
      AGENT_INVENTORY_MS: '500',
    };
    agent = await SlurmAgentProcess.start(agentEnv, stateDir, port);
    clusterId = agent.cluster().clusterId;
  });

  afterAll(async () => {
    await agent?.stop();
    await exchange?.stop();
    await database?.drop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    for (const r of reservations().matchAll(/ReservationName=(gpux-\S+)/g))
      slurm('scancel', `--reservation=${r[1]}`);
    for (const r of reservations().matchAll(/ReservationName=(gpux-\S+)/g))
      slurm('scontrol', 'delete', `ReservationName=${r[1]}`);
  });

  it("registers the cluster with Slurm's GPUs, and its inventory bounds what the seller can offer", async () => {
    const registered = await eventually(async () => {
      const c = await cluster();
      return c?.inventory ? c : null;
    });
    expect(registered).toMatchObject({
      gpuCount: 16,
      inventory: {
        gpus: 16,
        offerable: 16,
        nodes: [
          { name: 'gpu-1', gpus: 8, usable: true },
          { name: 'gpu-2', gpus: 8, usable: true },
        ],
      },
    });
    setNode('gpu-2', 'DRAIN');
    await eventually(
      async () => (await cluster()).inventory.offerable === 8,
      15_000,
      'a drained node to count out',
    );
    const refused = await sell(16).expect(400);
    expect(refused.body.error.code).toBe('INSUFFICIENT_CAPACITY');
    const fits = await sell(8).expect(201);
    await api.http.delete(`/v1/orders/${fits.body.id}`).set('Authorization', seller.key).expect(200);
    await resumeAll();
  });

  it('refuses an inventory report that claims more GPUs than its nodes show', async () => {
    const { secret } = agent.cluster();
    const post = async (report: Record<string, unknown>) => {
      const body = JSON.stringify({ clusterId, ...report });
      return fetch(`${exchange.url}/v1/provisioning/inventory`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(secret, `msg_${Date.now()}`, body) },
        body,
      });
    };
    const nodes = [{ name: 'gpu-1', gpus: 8, state: 'IDLE', usable: true }];
    const inflated = await post({ gpus: 64, offerable: 8, nodes });
    expect(inflated.status).toBe(400);
    expect(((await inflated.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    expect((await post({ gpus: 8, offerable: 64, nodes })).status).toBe(400);
    expect((await post({ gpus: 8, offerable: 8, nodes, checks: { passed: true, gpus: 64 } })).status).toBe(
      400,
    );
    expect((await post({ gpus: 8, offerable: 8, nodes, checks: { passed: 'yes', gpus: 8 } })).status).toBe(
      400,
    );
    const unsigned = await fetch(`${exchange.url}/v1/provisioning/inventory`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clusterId, gpus: 8, offerable: 8, nodes }),
    });
    expect(unsigned.status).toBe(401);
  });

  it("reserves nodes for the buyer's user: verifying, then active; only that user runs in it; gone at the end", async () => {
    const id = await trade(2);
    const verifying = await leaseWhen(id, 'verifying');
    expect(verifying.startAt).toBeNull();
    const active = await leaseWhen(id, 'active');
    const access = active.access?.slurm;
    expect(access).toMatchObject({ reservation: `gpux-${id}`, nodes: [expect.stringMatching(/^gpu-[12]$/)] });
    expect(active).toMatchObject({
      verified: true,
      checks: { passed: true, gpus: 8, nodes: 1, nodesUp: 1 },
    });
    expect(reservations()).toContain(`ReservationName=gpux-${id}`);
    expect(srunAs(access!.user, access!.reservation)).toBe('0,1,2,3,4,5,6,7');
    expect(srunAs(OUTSIDER, access!.reservation)).toMatch(/^refused: .*Access denied/s);
    // A report claiming more GPUs than the cluster's inventory shows is refused, and changes nothing.
    const { secret } = agent.cluster();
    const inflated = JSON.stringify({ leaseId: id, status: 'active', checks: { passed: true, gpus: 64 } });
    const refused = await fetch(`${exchange.url}/v1/provisioning/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(secret, 'msg_inflated', inflated) },
      body: inflated,
    });
    expect(refused.status).toBe(400);
    expect((await lease(id)).checks).toMatchObject({ gpus: 8 });
    // The buyer's job still running at the end is cancelled with the reservation.
    const job = spawn(
      'runuser',
      [
        '-u',
        access!.user,
        '--',
        'srun',
        `--reservation=${access!.reservation}`,
        '--gres=gpu:8',
        'sleep',
        '600',
      ],
      { stdio: 'ignore' },
    );
    const jobEnded = new Promise((resolve) => job.once('exit', resolve));
    await eventually(
      async () => slurm('squeue', '-h', '-o', '%T', '-R', access!.reservation).includes('RUNNING'),
      15_000,
      'the job to run',
    );
    await advance(2 * 3600 + 60);
    expect((await leaseWhen(id, 'ended')).settlement).toMatchObject({ paid: '32', credited: '0' });
    await eventually(
      async () => !reservations().includes(`gpux-${id}`),
      15_000,
      'the reservation to be deleted',
    );
    await jobEnded;
    expect(slurm('squeue', '-h', '-u', access!.user).trim()).toBe('');
  });

  it('answers a repeated webhook-id as the first time, and does the work once', async () => {
    const { secret } = agent.cluster();
    const leaseId = '0badc0de-0000-4000-8000-000000000001';
    const send = async (id: string, body: unknown) => {
      const payload = JSON.stringify(body);
      const response = await fetch(`http://127.0.0.1:${agent.port}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(secret, id, payload) },
        body: payload,
      });
      return { status: response.status, body: await response.json() };
    };
    const provision = {
      type: 'lease.provision',
      lease: { id: leaseId, quantity: 8, durationHours: 1 },
      buyer: { accountId: buyer.id },
    };
    const first = await send('msg_provision_once', provision);
    expect(first).toEqual({ status: 202, body: { status: 'provisioning' } });
    expect(await send('msg_provision_once', provision)).toEqual(first);
    await eventually(async () => reservations().includes(`gpux-${leaseId}`), 15_000, 'the reservation');
    expect(reservations().match(new RegExp(`gpux-${leaseId}`, 'g'))).toHaveLength(1);
    const deprovision = { type: 'lease.deprovision', lease: { id: leaseId } };
    const gone = await send('msg_deprovision_once', deprovision);
    expect(gone).toEqual({ status: 200, body: { status: 'deprovisioned' } });
    expect(await send('msg_deprovision_once', deprovision)).toEqual(gone);
    expect(reservations()).not.toContain(`gpux-${leaseId}`);
    // A lease id that is not a UUID never reaches scontrol.
    const hostile = await send('msg_hostile', {
      ...provision,
      lease: { ...provision.lease, id: 'x Users=root' },
    });
    expect(hostile.status).toBe(400);
  });

  it('a failed check: the lease fails with a full refund, the cluster is degraded and takes no new sells', async () => {
    const before = await balance(buyer.key);
    const id = await trade(1);
    const verifying = await leaseWhen(id, 'verifying');
    const [node] = verifying.access!.slurm.nodes;
    setNode(node, 'DRAIN'); // during the 1.5 s the agent waits before checking
    const failed = await leaseWhen(id, 'failed');
    expect(failed).toMatchObject({
      verified: false,
      checks: { passed: false, nodesUp: 0 },
      settlement: { paid: '0', refunded: '16' },
    });
    // Refunded in full, and credited the penalty: 8 GPU-hours x 2.00 x 10%.
    expect(Number((await balance(buyer.key)).available)).toBeCloseTo(Number(before.available) + 1.6, 10);
    // Degraded just after the lease fails (the cluster's answer is recorded first).
    const degraded = await eventually(async () =>
      (await cluster()).status === 'degraded' ? cluster() : null,
    );
    expect(degraded).toMatchObject({ status: 'degraded', degradedCause: 'failed_checks' });
    expect((await sell(8).expect(409)).body.error.code).toBe('CLUSTER_DEGRADED');
    await eventually(
      async () => !reservations().includes(`gpux-${id}`),
      15_000,
      'the reservation to be deleted',
    );
    // Once the node is back, the agent checks its idle nodes by itself; the check passes and ends the degradation.
    await resumeAll();
    const healed = await eventually(
      async () => ((await cluster()).status === 'active' ? cluster() : null),
      30_000,
      'a passed check to restore the cluster',
    );
    expect(healed).toMatchObject({ status: 'active', degradedCause: null });
    await api.http
      .delete(`/v1/orders/${(await sell(8).expect(201)).body.id}`)
      .set('Authorization', seller.key)
      .expect(200);
  });

  it('an agent killed mid-provision reconciles on restart and finishes the lease', async () => {
    const id = await trade(1);
    await leaseWhen(id, 'verifying');
    await agent.stop('SIGKILL');
    agent = await SlurmAgentProcess.start(agentEnv, stateDir, port);
    await leaseWhen(id, 'active');
    const { drift, leases } = await agent.state();
    // The exchange shows `verifying` as soon as the agent reports the reservation made; the kill can land just
    // before the agent's journal records that stage, so either mid-provision stage is what it finds on restart.
    expect(drift).toContainEqual(
      expect.stringMatching(new RegExp(`^lease ${id} was (provisioning|verifying) when the agent stopped`)),
    );
    expect(leases.find((l) => l.leaseId === id)?.stage).toBe('active');
    // The restarted agent made no second reservation.
    expect(reservations().match(new RegExp(`gpux-${id}`, 'g'))).toHaveLength(1);
    await api.http.post(`/v1/leases/${id}/release`).set('Authorization', buyer.key).expect(200);
    await eventually(
      async () => !reservations().includes(`gpux-${id}`),
      15_000,
      'the reservation to be deleted',
    );
  });

  it("an interrupt notice reaches the buyer's jobs, and the reservation ends by the notice's end", async () => {
    const id = await trade(2, 'H100-SXM.us-east.int');
    const active = await leaseWhen(id, 'active');
    const { user, reservation } = active.access!.slurm;
    const job = spawn(
      'runuser',
      ['-u', user, '--', 'srun', `--reservation=${reservation}`, '--gres=gpu:8', 'sleep', '600'],
      {
        stdio: 'ignore',
      },
    );
    const ended = new Promise((resolve) => job.once('exit', resolve));
    await eventually(
      async () => slurm('squeue', '-h', '-o', '%T', '-R', reservation).includes('RUNNING'),
      15_000,
      'the job to run',
    );
    const noticed = (
      await api.http.post(`/v1/leases/${id}/interrupt`).set('Authorization', seller.key).expect(200)
    ).body;
    await ended; // SIGTERM reached the job
    await eventually(
      async () => slurm('squeue', '-h', '-o', '%T', '-R', reservation).trim() === '',
      15_000,
      'the job to end',
    );
    const endTime = /EndTime=(\S+)/.exec(
      slurm('scontrol', 'show', 'reservation', reservation, '--oneliner'),
    )?.[1];
    const [y, mo, d, h, mi, sec] = (endTime ?? '').split(/[-T:]/).map(Number);
    expect(new Date(y, mo - 1, d, h, mi, sec).getTime()).toBeLessThanOrEqual(
      Date.parse(noticed.interruptAt) + 1000,
    );
    await advance(15 * 60 + 5);
    await leaseWhen(id, 'interrupted');
    await eventually(
      async () => !reservations().includes(`gpux-${id}`),
      15_000,
      'the reservation to be deleted',
    );
  });

  it('a node drained mid-lease: the lease ends, billed to the GPU-second, credited by the formula to the cent', async () => {
    const before = await balance(buyer.key);
    const sellerBefore = await balance(seller.key);
    const id = await trade(2);
    const active = await leaseWhen(id, 'active');
    await advance(1800);
    setNode(active.access!.slurm.nodes[0], 'DRAIN');
    const lost = await leaseWhen(id, 'interrupted');
    expect(lost.failureReason).toMatch(/^the cluster lost the lease's GPUs: node gpu-[12] is \S*DRAIN/);
    // README's formula from the exchange's own times: delivered GPU-hours to 4 decimals, rounded down.
    const ms = Date.parse(lost.endedAt as string) - Date.parse(active.startAt as string);
    const delivered = Math.floor(((8 * ms) / 3_600_000) * 10_000) / 10_000;
    const undelivered = 16 - delivered;
    const paid = 2 * delivered;
    const fee = paid * 0.005;
    const credit = undelivered * 2 * 0.1;
    const cents = (x: number | string) => Number(x).toFixed(2);
    expect(cents(lost.settlement!.paid)).toBe(cents(paid));
    expect(cents(lost.settlement!.refunded)).toBe(cents(32 - paid));
    expect(cents(lost.settlement!.credited)).toBe(cents(credit));
    // In the ledger: the buyer paid for what was delivered and got the credit; the seller the payout less it.
    const after = await balance(buyer.key);
    expect(cents(Number(after.available) - Number(before.available))).toBe(cents(-paid + credit));
    const sellerAfter = await balance(seller.key);
    expect(cents(Number(sellerAfter.available) - Number(sellerBefore.available))).toBe(
      cents(paid - fee - credit),
    );
    const events = (
      await api.http
        .get('/v1/admin/events?type=settlement.credited&limit=1000')
        .set('Authorization', api.admin())
    ).body.filter((e: { event: { data: { leaseId: string } } }) => e.event.data.leaseId === id);
    expect(events.map((e: { event: { data: unknown } }) => e.event.data)).toEqual([
      expect.objectContaining({
        accountId: buyer.id,
        amount: lost.settlement!.credited,
        credit: expect.objectContaining({
          reason: 'ended_early',
          undeliveredGpuHours: String(Number(undelivered.toFixed(4))),
          price: '2',
          creditBps: 1000,
        }),
      }),
    ]);
    await eventually(
      async () => !reservations().includes(`gpux-${id}`),
      15_000,
      'the reservation to be deleted',
    );
    await resumeAll();
  });
});
