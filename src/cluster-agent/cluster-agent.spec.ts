import { randomBytes } from 'node:crypto';
import { IncomingMessage, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { signedHeaders } from '../provisioning/webhook-signature';
import { ClusterAgent } from './cluster-agent';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const LEASE = '6f1c2d3e-0000-4000-8000-00000000000a';

/** The agent, driven over real HTTP on loopback with hand-signed requests. */
describe('ClusterAgent', () => {
  let agent: ClusterAgent;

  const send = async (body: unknown, options: { id?: string; at?: Date; secret?: string } = {}) => {
    const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
    const at = options.at ?? new Date();
    const payload = JSON.stringify(body);
    const response = await fetch(agent.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signedHeaders(options.secret ?? SECRET, id, payload, at),
      },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const provision = (leaseId: string, quantity: number) => ({
    type: 'lease.provision',
    lease: { id: leaseId, quantity },
    buyer: { accountId: 'b' },
  });
  const deprovision = (leaseId: string) => ({ type: 'lease.deprovision', lease: { id: leaseId } });

  beforeEach(async () => {
    agent = await ClusterAgent.start({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      gpuCount: 16,
      exchangeUrl: 'http://127.0.0.1:9',
      sshHost: 'login.test',
      behavior: { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' },
    });
  });

  afterEach(() => agent.stop());

  it('allocates on provision and answers a repeated webhook-id with the first answer, allocating once', async () => {
    const first = await send(provision(LEASE, 8), { id: 'msg_same' });
    expect(first).toMatchObject({ status: 200, body: { status: 'active' } });
    expect((first.body.access as { gpus: number[] }).gpus).toHaveLength(8);
    const again = await send(provision(LEASE, 8), { id: 'msg_same' });
    expect(again).toEqual(first);
    // Another request about the same lease (a new id) still gets the same GPUs and credentials.
    expect(await send(provision(LEASE, 8))).toEqual(first);
    expect(agent.inventory.held()).toHaveLength(1);
    expect(agent.inventory.freeCount).toBe(8);
  });

  it('refuses bad signatures and timestamps more than 5 minutes old, changing nothing', async () => {
    const forged = await send(provision(LEASE, 8), { secret: `whsec_${randomBytes(32).toString('base64')}` });
    expect(forged.status).toBe(401);
    const replay = await send(provision(LEASE, 8), { at: new Date(Date.now() - 6 * 60_000) });
    expect(replay.status).toBe(401);
    expect(agent.inventory.freeCount).toBe(16);
    expect(agent.received).toHaveLength(0);
  });

  it('frees GPUs on deprovision, and never sets up a lease it was told to take back', async () => {
    await send(provision(LEASE, 8));
    expect(await send(deprovision(LEASE))).toEqual({ status: 200, body: { status: 'deprovisioned' } });
    expect(agent.inventory.freeCount).toBe(16);
    expect((await send(provision(LEASE, 8))).body).toMatchObject({ status: 'failed' });
    expect(agent.inventory.freeCount).toBe(16);
  });

  it('answers failed when it lacks the GPUs, and 503 while told to fail', async () => {
    expect((await send(provision(LEASE, 17))).body).toEqual({
      status: 'failed',
      reason: '17 GPUs asked, 16 free',
    });
    agent.behavior.failNext = 1;
    expect((await send(provision('6f1c2d3e-0000-4000-8000-00000000000b', 1))).status).toBe(503);
    expect((await send(provision('6f1c2d3e-0000-4000-8000-00000000000b', 1))).status).toBe(200);
  });

  it('async: answers 202, then calls the exchange back, signed with the same secret', async () => {
    const callbacks: { headers: IncomingMessage['headers']; body: string }[] = [];
    const exchange = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        callbacks.push({ headers: req.headers, body });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => exchange.listen(0, '127.0.0.1', resolve));
    await agent.stop();
    agent = await ClusterAgent.start({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      gpuCount: 16,
      exchangeUrl: `http://127.0.0.1:${(exchange.address() as AddressInfo).port}`,
      sshHost: 'login.test',
      behavior: { mode: 'async', delayMs: 10, failNext: 0, checks: 'pass' },
    });
    try {
      expect((await send(provision(LEASE, 4), { id: 'msg_retried' })).status).toBe(202);
      // The exchange's retry of the same request (its answer lost, say) is deduped: still one callback.
      expect((await send(provision(LEASE, 4), { id: 'msg_retried' })).status).toBe(202);
      for (let i = 0; i < 100 && callbacks.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      // Set up (checks running), then handed over with its acceptance report.
      expect(callbacks).toHaveLength(2);
      const [verifying, active] = callbacks.map(({ headers, body }) =>
        new Webhook(SECRET).verify(body, headers as Record<string, string>),
      );
      expect(verifying).toMatchObject({
        leaseId: LEASE,
        status: 'verifying',
        access: { gpus: expect.any(Array) },
      });
      expect(active).toMatchObject({
        leaseId: LEASE,
        status: 'active',
        access: { gpus: expect.any(Array) },
        checks: { passed: true, gpus: 4 },
      });
    } finally {
      exchange.close();
    }
  });
});
