import type { ClustersRepository } from '../clusters/clusters.repository';
import type { AppConfig } from '../config/app-config';
import type { WebhookRequest } from '../trading/types';
import type { CommittedBatch } from '../writer/committed-batch';
import type { TradingWriter } from '../writer/trading-writer';
import type { ProvisioningService } from './provisioning.service';
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

const delivery = (id: string, type: WebhookType, leaseId = 'lease-1'): WebhookRequest => ({
  id,
  leaseId,
  clusterId: 'cluster-1',
  type,
  payload: '{}',
  createdAt: 0,
});

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

  beforeEach(() => {
    sender = new HeldSender();
    retries = [];
    closed = [];
    completed = [];
    repositoryDown = false;
    targetLookups = 0;
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
    const config = {
      provisioning: {
        mode: 'webhook',
        deadlineSeconds: 900,
        retryBaseMs: 40,
        retryMaxMs: 160,
        timeoutMs: 1000,
      },
    } as AppConfig;
    dispatcher = new WebhookDispatcher(sender, deliveries, clusters, provisioning, writer, config);
  });

  afterEach(() => dispatcher.onApplicationShutdown());

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
});
