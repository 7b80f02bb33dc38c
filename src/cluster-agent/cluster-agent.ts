import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { webhookHeaders } from '../provisioning/webhook-signature';
import { readBody, reply, sendSigned } from './agent-http';
import { Inventory } from './inventory';

/** How the simulated cluster answers (changeable while it runs, to play a slow, failing or async cluster). */
export interface AgentBehavior {
  /** `sync`: 200 with access; `async`: 202, then a signed callback; `hang`: never answers. */
  mode: 'sync' | 'async' | 'hang';
  /** Wait before answering (sync) or before calling back (async). */
  delayMs: number;
  /** Answer this many webhook requests with 503 before behaving (a flaky cluster). */
  failNext: number;
  /**
   * The acceptance report sent with each provisioned lease: `pass` (the GPUs it allocated), `fail` (a GPU that
   * does not answer), or `none` (no report: the lease is unverified, as before checks existed).
   */
  checks: 'pass' | 'fail' | 'none';
}

export interface AgentOptions {
  port: number;
  host: string;
  /** The cluster's webhook secret (`whsec_...`), as the exchange showed it when the cluster was registered. */
  secret: string | null;
  gpuCount: number;
  /** Where callbacks go: the exchange's base URL. */
  exchangeUrl: string;
  sshHost: string;
  behavior: AgentBehavior;
}

/** A webhook request the agent received with a valid signature, in arrival order. */
export interface Received {
  id: string;
  type: string;
  leaseId: string;
  answer: number | null;
}

const REMEMBERED_IDS = 100_000;
const KEPT_RECEIVED = 10_000;

/**
 * The reference cluster agent: the seller's side of PROTOCOL.md's provisioning hook. It verifies each request's
 * signature (and refuses timestamps more than 5 minutes off: replays), answers a repeated `webhook-id` with the
 * answer it gave the first time, allocates GPUs from its inventory on `lease.provision` and frees them on
 * `lease.deprovision`. A real cluster replaces `Inventory` with its scheduler (see the README).
 */
export class ClusterAgent {
  readonly inventory: Inventory;
  /** The latest requests (at most KEPT_RECEIVED), for tests and the `GET /state` page. */
  readonly received: Received[] = [];
  behavior: AgentBehavior;
  secret: string | null;
  private readonly answers = new Map<string, { status: number; body: unknown }>();
  /** Each lease's acceptance report, made once: a repeated provision gets the same one. */
  private readonly checked = new Map<string, Record<string, unknown>>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    private readonly options: AgentOptions,
  ) {
    this.inventory = new Inventory(options.gpuCount, options.sshHost);
    this.behavior = { ...options.behavior };
    this.secret = options.secret;
  }

  static async start(options: AgentOptions): Promise<ClusterAgent> {
    const server = createServer();
    const agent = new ClusterAgent(server, options);
    server.on('request', (req, res) => void agent.handle(req, res));
    await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
    return agent;
  }

  /** The URL to register as the cluster's `webhookUrl`. */
  get webhookUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://${this.options.host}:${port}/webhook`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method === 'GET' && req.url === '/state') return reply(res, 200, this.state());
      if (req.method !== 'POST' || req.url !== '/webhook') return reply(res, 404, { error: 'not found' });
      const raw = await readBody(req);
      if (raw === null) return reply(res, 413, { error: 'body too large' });
      await this.webhook(raw, req, res);
    } catch (error) {
      reply(res, 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async webhook(raw: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.secret) return reply(res, 503, { error: 'the agent has no webhook secret yet' });
    const headers = webhookHeaders(req.headers);
    let body: {
      type?: string;
      lease?: { id?: string; quantity?: number };
      buyer?: { sshPublicKey?: string };
    };
    try {
      body = new Webhook(this.secret).verify(raw, headers) as typeof body;
    } catch (error) {
      if (error instanceof WebhookVerificationError) return reply(res, 401, { error: error.message });
      throw error;
    }
    const id = headers['webhook-id'];
    const leaseId = String(body.lease?.id ?? '');
    const received: Received = { id, type: String(body.type), leaseId, answer: null };
    this.received.push(received);
    if (this.received.length > KEPT_RECEIVED) this.received.splice(0, this.received.length - KEPT_RECEIVED);
    const answered = this.answers.get(id);
    if (answered) return this.answer(res, received, answered.status, answered.body);
    if (this.behavior.failNext > 0) {
      this.behavior.failNext--;
      return this.answer(res, received, 503, { error: 'simulated failure' });
    }
    if (this.behavior.mode === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (body.type === 'lease.deprovision') {
      this.inventory.release(leaseId);
      return this.remember(res, received, 200, { status: 'deprovisioned' });
    }
    // A real cluster tells the buyer's jobs; the simulation has no jobs to tell.
    if (body.type === 'lease.interrupt') return this.remember(res, received, 200, { status: 'noticed' });
    if (body.type !== 'lease.provision') return this.answer(res, received, 400, { error: 'unknown type' });
    const allocation = this.inventory.allocate(
      leaseId,
      Number(body.lease?.quantity ?? 0),
      body.buyer?.sshPublicKey ?? null,
    );
    const checks = 'refused' in allocation ? null : this.checksOf(leaseId, allocation.gpus);
    const outcome =
      'refused' in allocation
        ? { status: 'failed', reason: allocation.refused }
        : { status: 'active', access: allocation.access, ...(checks ? { checks } : {}) };
    if (this.behavior.mode === 'async') {
      // Set up at once, checked after the delay (or, without checks, handed over after it).
      if (checks && 'access' in outcome)
        void this.callBack({ leaseId, status: 'verifying', access: outcome.access });
      this.later(() => void this.callBack({ leaseId, ...outcome }), this.behavior.delayMs);
      return this.remember(res, received, 202, { status: 'provisioning' });
    }
    if (this.behavior.delayMs > 0) await new Promise<void>((r) => this.later(r, this.behavior.delayMs));
    this.remember(res, received, 200, outcome);
  }

  /** Answers, and keeps the answer for this `webhook-id` (a retry of it gets the same one). */
  private remember(res: ServerResponse, received: Received, status: number, body: unknown): void {
    if (this.answers.size >= REMEMBERED_IDS) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(received.id, { status, body });
    this.answer(res, received, status, body);
  }

  private answer(res: ServerResponse, received: Received, status: number, body: unknown): void {
    received.answer = status;
    reply(res, status, body);
  }

  /** `POST /v1/provisioning/callback`, signed like the exchange's webhooks, retried with the same id. */
  private async callBack(body: Record<string, unknown>): Promise<void> {
    await sendSigned(
      `${this.options.exchangeUrl}/v1/provisioning/callback`,
      this.secret as string,
      body,
      (ms) => new Promise<void>((r) => this.later(r, ms)),
    );
  }

  /** Plays a cluster losing a lease's GPUs (a node drained): frees them and tells the exchange, signed. */
  async lose(leaseId: string, reason: string): Promise<void> {
    this.inventory.release(leaseId);
    await this.callBack({ leaseId, status: 'lost', reason });
  }

  /** The simulated acceptance report: every allocated GPU answers (or, failing, one does not). */
  private checksOf(leaseId: string, gpus: number[]): Record<string, unknown> | null {
    const mode = this.behavior.checks;
    if (mode === 'none') return null;
    const earlier = this.checked.get(leaseId);
    if (earlier) return earlier;
    const answering = mode === 'pass' ? gpus.length : Math.max(0, gpus.length - 1);
    const report = {
      passed: mode === 'pass',
      gpus: answering,
      checkedAt: new Date().toISOString(),
      items: [{ name: 'gpus-answer', passed: mode === 'pass', expected: gpus.length, found: answering }],
    };
    if (this.checked.size >= REMEMBERED_IDS) this.checked.delete(this.checked.keys().next().value as string);
    this.checked.set(leaseId, report);
    return report;
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  state() {
    return {
      gpuCount: this.inventory.gpuCount,
      free: this.inventory.freeCount,
      allocations: this.inventory.held(),
      received: this.received,
    };
  }
}
