import type { ClustersRepository } from '../clusters/clusters.repository';
import type { ClustersService } from '../clusters/clusters.service';
import type { AppConfig } from '../config/app-config';
import type { WebhookRequest } from '../trading/types';
import type { CommittedBatch } from '../writer/committed-batch';
import type { TradingWriter } from '../writer/trading-writer';
import type { ProvisioningService } from './provisioning.service';
import { Metrics } from '../metrics/metrics';
import { WebhookDispatcher } from './webhook-dispatcher';
import type { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import type { WebhookType } from './webhook-delivery';
import { WebhookResponse, WebhookSender, WebhookTarget } from './webhook-sender';

/** A sender whose answers the test gives, one request at a time. */
class HeldSender extends WebhookSender {
  readonly sent: { id: string; answer(r: WebhookResponse | Error): void }[] = [];

  send(_target: WebhookTarget, id: string): Promise<WebhookResponse> {
    return new Promise((resolve, reject) =>
      this.sent.push({ id, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) }),
    );
  }
}

const delivery = (
  id: string,
  type: WebhookType,
  leaseId = 'lease-1',
  clusterId = 'cluster-1',
): WebhookRequest => ({
  id,
  leaseId,
  clusterId,
  type,
  payload: '{}',
  createdAt: 0,
});

/** Closed deliveries are recorded a little after they close. */
const CLOSE_FLUSH_WAIT = 40;

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WebhookDispatcher', () => {
  let sender: HeldSender;
  let committed: (batch: CommittedBatch) => void;
  let retries: { id: string; attempts: number; at: Date }[];
  let closed: { id: string; status: string; attempts: number }[];
  let dispatcher: WebhookDispatcher;
  let repositoryDown: boolean;
  let completed: string[];
  let targetLookups: number;
  let health: string[];

  beforeEach(() => {
    sender = new HeldSender();
    retries = [];
    closed = [];
    completed = [];
    repositoryDown = false;
    targetLookups = 0;
    health = [];
    const deliveries = {
      pending: async () => [],
      leaseOf: async () => ({ clusterId: 'cluster-1', status: 'provisioning' }),
      retryLater: async (id: string, attempt: { attempts: number }, at: Date) => {
        if (repositoryDown) throw new Error('database down');
        retries.push({ id, attempts: attempt.attempts, at });
      },
      close: async (rows: { id: string; status: string; attempts: number }[]) => {
        closed.push(...rows.map(({ id, status, attempts }) => ({ id, status, attempts })));
      },
    } as unknown as WebhookDeliveriesRepository;
    const clusters = {
      webhookTarget: async () => {
        targetLookups++;
        if (repositoryDown) throw new Error('database down');
        return { url: 'http://127.0.0.1:9/hook', secret: 'whsec_x' };
      },
    } as unknown as ClustersRepository;
    const provisioning = {
      complete: async (leaseId: string) => completed.push(leaseId),
    } as unknown as ProvisioningService;
    const writer = {
      onCommitted: (listener: (b: CommittedBatch) => void) => (committed = listener),
      onLoaded: () => {},
    } as unknown as TradingWriter;
    const clusterHealth = {
      accountOf: (clusterId: string) => (clusterId.startsWith('dead') ? 'attacker' : null),
      markDegraded: async (id: string, _cause: string, reason: string) =>
        health.push(`${id} degraded: ${reason}`),
      markHealthy: async (id: string) => health.push(`${id} healthy`),
    } as unknown as ClustersService;
    const config = {
      provisioning: {
        mode: 'webhook',
        deadlineSeconds: 900,
        retryBaseMs: 40,
        retryMaxMs: 160,
        timeoutMs: 1000,
        inFlightPerCluster: 2,
        inFlightPerAccount: 3,
        breaker: { failures: 3, openMs: 100 },
        deprovisionAttempts: 4,
      },
    } as AppConfig;
    dispatcher = new WebhookDispatcher(
      sender,
      deliveries,
      clusters,
      clusterHealth,
      provisioning,
      writer,
      config,
      new Metrics(),
      { lead: (start) => start() },
    );
  });

  afterEach(async () => {
    dispatcher.onApplicationShutdown();
    await tick(CLOSE_FLUSH_WAIT); // what the test closed is recorded before the next one starts
  });

  const commit = (...requests: WebhookRequest[]) =>
    committed({
      number: 1,
      settlement: [],
      entries: [
        {
          command: { kind: 'tick' },
          now: 0,
          outcome: { ok: true, value: {} },
          events: requests.map((request) => ({ type: 'webhook.requested', request })),
        },
      ],
    });

  it("never sends a lease's deprovision while its provision is in flight", async () => {
    commit(delivery('msg_p', 'lease.provision'), delivery('msg_other', 'lease.provision', 'lease-2'));
    await tick();
    commit(delivery('msg_d', 'lease.deprovision'));
    await tick();
    expect(sender.sent.map((s) => s.id)).toEqual(['msg_p', 'msg_other']);
    sender.sent[0].answer({ status: 200, body: { status: 'active', access: {} } });
    await tick(10);
    expect(sender.sent.map((s) => s.id)).toEqual(['msg_p', 'msg_other', 'msg_d']);
    expect(completed).toEqual(['lease-1']);
  });

  it('retries with the same id, backing off, and records each attempt', async () => {
    commit(delivery('msg_p', 'lease.provision'));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await new Promise<void>(function wait(resolve) {
        if (sender.sent.length >= attempt) resolve();
        else setTimeout(() => wait(resolve), 5);
      });
      sender.sent[attempt - 1].answer(attempt < 3 ? { status: 503, body: null } : new Error('ECONNREFUSED'));
    }
    await tick(10);
    expect(new Set(sender.sent.map((s) => s.id))).toEqual(new Set(['msg_p']));
    expect(retries.map((r) => r.attempts)).toEqual([1, 2, 3]);
    // Waits grow: between half and all of 40, 80, 160 ms.
    const waits = retries.map((r, i) => r.at.getTime() - (i === 0 ? 0 : retries[i - 1].at.getTime()));
    expect(waits[2]).toBeGreaterThanOrEqual(40);
  });

  it('does not spin while the database is down', async () => {
    repositoryDown = true;
    commit(delivery('msg_p', 'lease.provision'));
    await tick(300);
    // Each failed try backs off (40..160 ms): a handful of tries, not thousands.
    expect(targetLookups).toBeGreaterThanOrEqual(2);
    expect(targetLookups).toBeLessThan(10);
    expect(sender.sent).toHaveLength(0);
    repositoryDown = false;
    await tick(400);
    expect(sender.sent.map((s) => s.id)).toEqual(['msg_p']);
  });

  /** Waits until the sender has been asked `count` times in all. */
  const sentCount = (count: number) =>
    new Promise<void>(function wait(resolve) {
      if (sender.sent.length >= count) resolve();
      else setTimeout(() => wait(resolve), 5);
    });

  it("caps one cluster's requests in flight, so a cluster that never answers holds up no other", async () => {
    const stuck = Array.from({ length: 300 }, (_, i) =>
      delivery(`msg_dead_${i}`, 'lease.provision', `dead-${i}`, 'dead'),
    );
    commit(...stuck);
    await tick();
    expect(sender.sent.map((s) => s.id)).toEqual(['msg_dead_0', 'msg_dead_1']); // inFlightPerCluster
    commit(delivery('msg_live', 'lease.provision', 'live-1', 'live'));
    await tick();
    expect(sender.sent.map((s) => s.id)).toEqual(['msg_dead_0', 'msg_dead_1', 'msg_live']);
  });

  it('opens a failing cluster’s breaker: degraded, later requests failed fast, one probe, healthy when it answers', async () => {
    commit(...Array.from({ length: 6 }, (_, i) => delivery(`msg_${i}`, 'lease.provision', `l${i}`, 'flaky')));
    for (let i = 0; i < 3; i++) {
      await sentCount(i + 1);
      sender.sent[i].answer({ status: 503, body: null });
    }
    await tick(20);
    expect(health).toEqual(['flaky degraded: stopped answering: 3 requests in a row failed']);
    // Open: whatever is due is recorded as failed fast, without a request.
    const sentWhenOpened = sender.sent.length;
    await tick(60);
    expect(retries.some((r) => r.attempts === 1 && !sender.sent.some((s) => s.id === r.id))).toBe(true);
    // After openMs (100): exactly one probe at a time.
    await sentCount(sentWhenOpened + 1);
    await tick(30);
    expect(sender.sent.length).toBe(sentWhenOpened + 1);
    sender.sent[sentWhenOpened].answer({ status: 200, body: { status: 'active', access: {} } });
    await tick(20);
    expect(health).toEqual([
      'flaky degraded: stopped answering: 3 requests in a row failed',
      'flaky healthy',
    ]);
  });

  it('abandons a deprovision after its attempts, and degrades its cluster', async () => {
    commit(delivery('msg_d', 'lease.deprovision'));
    // Every request fails (whether sent, or failed fast once the breaker is open), until the 4th attempt.
    let answered = 0;
    for (let waited = 0; closed.length === 0 && waited < 3000; waited += 10) {
      while (answered < sender.sent.length) sender.sent[answered++].answer(new Error('refused'));
      await tick(10);
    }
    expect(closed).toEqual([{ id: 'msg_d', status: 'abandoned', attempts: 4 }]);
    expect(retries.map((r) => r.attempts)).toEqual([1, 2, 3]);
    expect(health).toContain('cluster-1 degraded: a lease.deprovision was abandoned after 4 attempts');
  });
});
