import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { webhookHeaders } from '../provisioning/webhook-signature';
import { readBody, reply, sendSigned } from '../cluster-agent/agent-http';
import { AgentJournal, LeaseRecord } from './agent-journal';
import { BuyerUsers } from './buyer-users';
import { acceptanceChecks, idleNodeChecks, inventoryOf } from './lease-setup';
import { SlurmCli } from './slurm-cli';
import { leaseOfReservation, uuid } from './slurm-names';
import { SlurmReservations } from './slurm-reservations';

export interface SlurmAgentOptions {
  port: number;
  host: string;
  /** The cluster's webhook secret (`whsec_...`); null until the cluster is registered. */
  secret: string | null;
  clusterId: string | null;
  exchangeUrl: string;
  /** Where buyers log in to run `srun` (shown in the access details). */
  loginHost: string;
  stateDir: string;
  users: BuyerUsers;
  slurm: SlurmCli;
  /** Run a job as the buyer's user in the reservation as part of the checks. */
  probe: boolean;
  /** Wait this long between setting a lease up and checking it (a burn-in). */
  checkDelayMs: number;
  /** How often active leases' nodes are looked at (a drained node ends its lease, credited). */
  monitorMs: number;
  /** How often the inventory is reported to the exchange. */
  inventoryMs: number;
  log: (line: string) => void;
}

interface Provision {
  type?: string;
  lease?: { id?: unknown; quantity?: unknown; durationHours?: unknown; interruptAt?: unknown };
  buyer?: { accountId?: unknown; sshPublicKey?: unknown };
}

/**
 * The Slurm cluster agent: the seller's side of the provisioning hook, beside `slurmctld`. A lease is a Slurm
 * reservation of whole nodes for the buyer's user (`gpux-<lease id>`): provisioned and checked (answered `202`,
 * then `verifying` and `active` or `failed` in signed callbacks), watched while it runs (a node drained or down
 * is reported `lost`), cut short on an interrupt notice (the reservation ends at the notice's end, the jobs get
 * SIGTERM), and deleted on deprovision with its jobs. It reports the inventory Slurm shows, which bounds what the
 * seller can offer. What it was told and did is in its journal: a repeated `webhook-id` gets the same answer,
 * and a restarted agent reconciles its leases with Slurm's reservations, finishing what it had started.
 */
export class SlurmAgent {
  secret: string | null;
  clusterId: string | null;
  /** What reconciling found that did not match (reported, and shown at `GET /state`). */
  readonly drift: string[] = [];
  private readonly busy = new Set<string>();
  /** What the exchange said of the cluster at the last inventory: degraded by a failed acceptance check. */
  private degradedByChecks = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;

  private readonly reservations: SlurmReservations;

  private constructor(
    private readonly server: Server,
    private readonly journal: AgentJournal,
    private readonly options: SlurmAgentOptions,
  ) {
    this.reservations = new SlurmReservations(options.slurm, journal, options.users, options.loginHost);
    this.secret = options.secret;
    this.clusterId = options.clusterId;
  }

  static async start(options: SlurmAgentOptions): Promise<SlurmAgent> {
    const server = createServer();
    const agent = new SlurmAgent(server, await AgentJournal.open(options.stateDir), options);
    server.on('request', (req, res) => void agent.handle(req, res));
    await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
    await agent.reconcile();
    agent.every(options.monitorMs, () => agent.monitor());
    agent.every(options.inventoryMs, () => agent.reportInventory());
    return agent;
  }

  get webhookUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://${this.options.host}:${port}/webhook`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The inventory Slurm shows, as reported to the exchange. */
  async inventory() {
    const [nodes, reservations] = await Promise.all([
      this.options.slurm.nodes(),
      this.options.slurm.reservations(),
    ]);
    return { clusterId: this.clusterId, ...inventoryOf(nodes, reservations), drift: this.drift.length };
  }

  /**
   * Sends the inventory to the exchange (signed); false when it was not taken. While the exchange says the
   * cluster is degraded by a failed check, the report carries a fresh check of its idle nodes: one that passes
   * lets the cluster take sell orders again.
   */
  async reportInventory(): Promise<boolean> {
    if (!this.secret || !this.clusterId) return false;
    const checks = this.degradedByChecks ? await idleNodeChecks(this.options.slurm) : null;
    const { status, body } = await sendSigned(
      `${this.options.exchangeUrl}/v1/provisioning/inventory`,
      this.secret,
      { ...(await this.inventory()), ...(checks ? { checks } : {}) },
      () => Promise.resolve(),
    );
    const taken = status !== null && status >= 200 && status < 300;
    if (taken)
      this.degradedByChecks = (body as { degradedCause?: unknown })?.degradedCause === 'failed_checks';
    return taken;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'GET' && req.url === '/state')
        return reply(res, 200, { leases: this.journal.leases(), drift: this.drift });
      if (req.method !== 'POST' || req.url !== '/webhook') return reply(res, 404, { error: 'not found' });
      const raw = await readBody(req);
      if (raw === null) return reply(res, 413, { error: 'body too large' });
      if (!this.secret) return reply(res, 503, { error: 'the agent has no webhook secret yet' });
      const headers = webhookHeaders(req.headers);
      let body: Provision;
      try {
        body = new Webhook(this.secret).verify(raw, headers) as Provision;
      } catch (error) {
        if (error instanceof WebhookVerificationError) return reply(res, 401, { error: error.message });
        throw error;
      }
      const id = headers['webhook-id'];
      const answered = this.journal.answer(id);
      if (answered) return reply(res, answered.status, answered.body);
      const answer = await this.webhook(body);
      // Remembered before it is sent: a retry after a crash gets the same answer, and nothing is done twice.
      if (answer.status < 500) await this.journal.remember(id, answer);
      reply(res, answer.status, answer.body);
    } catch (error) {
      reply(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async webhook(body: Provision): Promise<{ status: number; body: unknown }> {
    let leaseId: string;
    try {
      leaseId = uuid(body.lease?.id, 'lease.id');
    } catch (error) {
      return { status: 400, body: { error: (error as Error).message } };
    }
    if (body.type === 'lease.provision') return this.provision(leaseId, body);
    if (body.type === 'lease.deprovision') {
      await this.reservations.deprovision(leaseId);
      return { status: 200, body: { status: 'deprovisioned' } };
    }
    if (body.type === 'lease.interrupt') {
      const at = Date.parse(String(body.lease?.interruptAt));
      if (!Number.isFinite(at)) return { status: 400, body: { error: 'lease.interruptAt is not a time' } };
      await this.reservations.interrupt(leaseId, at);
      return { status: 200, body: { status: 'noticed' } };
    }
    return { status: 400, body: { error: `unknown type ${String(body.type)}` } };
  }

  private async provision(leaseId: string, body: Provision): Promise<{ status: number; body: unknown }> {
    const quantity = Number(body.lease?.quantity);
    const durationHours = Number(body.lease?.durationHours);
    let buyerId: string;
    try {
      buyerId = uuid(body.buyer?.accountId, 'buyer.accountId');
    } catch (error) {
      return { status: 400, body: { error: (error as Error).message } };
    }
    if (!Number.isInteger(quantity) || quantity < 1 || !Number.isInteger(durationHours) || durationHours < 1)
      return { status: 400, body: { error: 'lease.quantity and lease.durationHours must be whole numbers' } };
    if (!this.journal.lease(leaseId)) {
      const key = body.buyer?.sshPublicKey;
      await this.journal.put({
        leaseId,
        buyerId,
        sshPublicKey: typeof key === 'string' ? key : null,
        quantity,
        durationHours,
        stage: 'provisioning',
        user: null,
        reservation: null,
        nodes: [],
        access: null,
        checks: null,
        reason: null,
        updatedAt: '',
      });
    }
    void this.settle(leaseId);
    return { status: 202, body: { status: 'provisioning' } };
  }

  /**
   * Takes a lease from wherever it stands to `active` or `failed`: reserves nodes (or finds the reservation it
   * made before a restart), says `verifying`, checks, and reports. One run per lease at a time.
   */
  private async settle(leaseId: string): Promise<void> {
    if (this.busy.has(leaseId)) return;
    this.busy.add(leaseId);
    try {
      let lease = this.journal.lease(leaseId) as LeaseRecord;
      if (lease.stage === 'provisioning') {
        const reserved = await this.reservations.reserve(lease);
        if ('refused' in reserved) {
          const now = this.journal.lease(leaseId) as LeaseRecord;
          if (now.stage !== 'provisioning') return; // deprovisioned meanwhile: nothing to report
          await this.journal.put({ ...now, stage: 'failed', reason: reserved.refused });
          await this.callBack({ leaseId, status: 'failed', reason: reserved.refused });
          return;
        }
        const said = await this.callBack({ leaseId, status: 'verifying', access: reserved.access });
        if (said === 'unanswered') return; // the monitor tries again
        const now = this.journal.lease(leaseId) as LeaseRecord;
        if (now.stage !== 'provisioning') return; // deprovisioned meanwhile
        if (said === 'refused') {
          // The lease is over at the exchange (its deadline passed, say): its deprovision is on its way.
          await this.journal.put({ ...now, stage: 'failed', reason: 'the exchange refused the lease' });
          return;
        }
        await this.journal.put((lease = { ...now, stage: 'verifying' }));
      }
      if (lease.stage !== 'verifying') return;
      await new Promise((resolve) => setTimeout(resolve, this.options.checkDelayMs));
      if (this.stopped) return;
      const checks = await acceptanceChecks(
        this.options.slurm,
        { ...lease, user: lease.user as string, reservation: lease.reservation as string },
        this.options.probe,
      );
      if (this.journal.lease(leaseId)?.stage !== 'verifying') return; // deprovisioned meanwhile
      const reason = checks.passed ? undefined : 'the allocation failed its acceptance checks';
      const said = await this.callBack({
        leaseId,
        status: checks.passed ? 'active' : 'failed',
        access: lease.access,
        checks,
        reason,
      });
      if (said === 'unanswered') return; // still verifying: the monitor checks again and reports
      const current = this.journal.lease(leaseId) as LeaseRecord;
      if (current.stage !== 'verifying') return;
      await this.journal.put({
        ...current,
        stage: checks.passed && said === 'taken' ? 'active' : 'failed',
        checks,
      });
    } catch (error) {
      this.options.log(`lease ${leaseId}: ${(error as Error).message}`);
    } finally {
      this.busy.delete(leaseId);
    }
  }

  /**
   * Active leases whose reservation is gone, or whose nodes are no longer usable, are reported lost; leases
   * whose setup stopped short (the exchange did not answer a callback) are taken up again.
   */
  private async monitor(): Promise<void> {
    for (const lease of this.journal.leases())
      if (lease.stage === 'provisioning' || lease.stage === 'verifying') void this.settle(lease.leaseId);
    const active = this.journal.leases().filter((l) => l.stage === 'active');
    if (active.length === 0) return;
    const [nodes, reservations] = await Promise.all([
      this.options.slurm.nodes(),
      this.options.slurm.reservations(),
    ]);
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const lease of active) {
      const reservation = reservations.find((r) => r.name === lease.reservation);
      const down = lease.nodes.filter((n) => byName.get(n)?.usable !== true);
      const reason = !reservation
        ? `its reservation ${lease.reservation} is gone from Slurm`
        : down.length > 0
          ? down.map((n) => `node ${n} is ${byName.get(n)?.state ?? 'gone'}`).join(', ')
          : null;
      if (reason === null) continue;
      this.options.log(`lease ${lease.leaseId} lost: ${reason}`);
      if ((await this.callBack({ leaseId: lease.leaseId, status: 'lost', reason })) !== 'unanswered')
        await this.journal.put({ ...lease, stage: 'lost', reason });
    }
  }

  /**
   * After a restart: finishes the leases it was setting up, deletes reservations of leases that are over, and
   * reports what does not match (a reservation it was never told about, an active lease whose reservation is
   * gone: the monitor reports that one lost).
   */
  private async reconcile(): Promise<void> {
    const reservations = await this.options.slurm.reservations();
    for (const r of reservations) {
      const leaseId = leaseOfReservation(r.name);
      if (leaseId === null) continue;
      const lease = this.journal.lease(leaseId);
      if (!lease)
        this.noteDrift(`reservation ${r.name}: this agent was never told of lease ${leaseId}; left alone`);
      else if (lease.stage === 'deprovisioned' || lease.stage === 'failed') {
        this.noteDrift(`reservation ${r.name}: lease ${leaseId} is ${lease.stage}; deleted`);
        await this.options.slurm.signalJobs(r.name, null);
        await this.options.slurm.deleteReservation(r.name);
      }
    }
    for (const lease of this.journal.leases()) {
      if (lease.stage === 'provisioning' || lease.stage === 'verifying') {
        this.noteDrift(`lease ${lease.leaseId} was ${lease.stage} when the agent stopped; finishing it`);
        void this.settle(lease.leaseId);
      } else if (lease.stage === 'active' && !reservations.some((r) => r.name === lease.reservation)) {
        this.noteDrift(`lease ${lease.leaseId} is active but its reservation is gone`);
      }
    }
  }

  private noteDrift(line: string): void {
    this.drift.push(line);
    this.options.log(`drift: ${line}`);
  }

  /** A signed callback: the exchange took it (2xx), refused it for good (4xx), or never answered. */
  private async callBack(body: Record<string, unknown>): Promise<'taken' | 'refused' | 'unanswered'> {
    const { status } = await sendSigned(
      `${this.options.exchangeUrl}/v1/provisioning/callback`,
      this.secret as string,
      body,
    );
    if (status !== null && status >= 400 && status < 500)
      this.options.log(
        `the exchange refused the ${String(body.status)} callback for lease ${String(body.leaseId)}`,
      );
    if (status === null || status >= 500) return 'unanswered';
    return status < 300 ? 'taken' : 'refused';
  }

  private every(ms: number, task: () => Promise<unknown>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.stopped) return;
      running = true;
      task()
        .catch((error: unknown) => this.options.log((error as Error).message))
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
