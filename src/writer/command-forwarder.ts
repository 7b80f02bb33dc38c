import Decimal from 'decimal.js';
import { Agent, request } from 'node:http';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { TradingCommand } from '../trading/commands';
import type { ResultOf } from '../trading/results';
import { NODE_SECRET_HEADER } from '../leadership/node-secret';

/** Where the leader takes forwarded commands (see InternalController). */
export const COMMANDS_PATH = '/internal/v1/commands';
/** A forwarded batch stays under the leader's 64 KB body limit. */
const MAX_BATCH_BYTES = 48 * 1024;
/** Fields of order and lease snapshots that are decimals (sent as strings). */
const DECIMAL_FIELDS = ['filledValue', 'paid', 'fee', 'refunded'];

/** A snapshot's decimal fields, back from their strings. */
function reviveSnapshot(snapshot: Record<string, unknown>): void {
  for (const field of DECIMAL_FIELDS) {
    const value = snapshot[field];
    if (typeof value === 'string') snapshot[field] = new Decimal(value);
  }
}

/** The results that carry snapshots: `{order}`, `{orders}`, `{lease}` (see ResultOf). */
function revive(value: unknown): unknown {
  const result = value as {
    order?: Record<string, unknown>;
    orders?: unknown;
    lease?: Record<string, unknown>;
  };
  if (result?.order) reviveSnapshot(result.order);
  if (result?.lease) reviveSnapshot(result.lease);
  if (Array.isArray(result?.orders)) for (const order of result.orders) reviveSnapshot(order);
  return value;
}

/** One forwarded command's answer, as the leader sends it. */
export type ForwardedOutcome = { ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string };

export interface LeaderTarget {
  /** The leader's base URL (its ADVERTISED_URL, or where it listens). */
  url: string;
  secret: string;
}

interface Forwarding {
  command: TradingCommand;
  text: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const noLeader = () =>
  new DomainError('UNAVAILABLE', 'no leader: a failover is under way; nothing was changed, retry shortly');
const lostLeader = () =>
  new DomainError(
    'OUTCOME_UNKNOWN',
    'this node lost contact with the leader while it was committing: the command may or may not have taken ' +
      'effect; retry with the same clientOrderId, or read the order',
  );

/**
 * A follower's way to the single writer: the commands its clients send (already authenticated and validated
 * here) go to the leader, gathered per turn of the event loop into one request over a kept-alive connection, and
 * each is answered with the leader's answer, once its commit is durable. When no leader is known or it cannot be
 * reached, nothing was sent: UNAVAILABLE. When the connection breaks after the commands went out, the leader may
 * have committed them: OUTCOME_UNKNOWN.
 */
export class CommandForwarder {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32, timeout: 4000 });
  private queue: Forwarding[] = [];
  private scheduled = false;

  constructor(
    private readonly target: () => LeaderTarget | null,
    /** How long the leader has to answer (its commit, and a retry of it, included). */
    private readonly timeoutMs: number,
  ) {}

  forward<C extends TradingCommand>(command: C): Promise<ResultOf[C['kind']]> {
    return new Promise((resolve, reject) => {
      const text = JSON.stringify(command);
      this.queue.push({ command, text, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private flush(): void {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    let batch: Forwarding[] = [];
    let bytes = 0;
    for (const job of queued) {
      if (batch.length > 0 && bytes + job.text.length > MAX_BATCH_BYTES) {
        this.send(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(job);
      bytes += job.text.length + 1;
    }
    if (batch.length > 0) this.send(batch);
  }

  private send(batch: Forwarding[]): void {
    const target = this.target();
    if (!target) {
      for (const job of batch) job.reject(noLeader());
      return;
    }
    const body = `{"commands":[${batch.map((job) => job.text).join(',')}]}`;
    let sent = false;
    const fail = (error: DomainError) => {
      for (const job of batch) job.reject(error);
    };
    const req = request(
      new URL(COMMANDS_PATH, target.url),
      {
        method: 'POST',
        agent: this.agent,
        timeout: this.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          [NODE_SECRET_HEADER]: target.secret,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => fail(lostLeader()));
        res.on('end', () => this.answer(batch, res.statusCode ?? 0, Buffer.concat(chunks).toString()));
      },
    );
    // Written to the socket: from here on, a broken connection leaves the outcome unknown.
    req.on('finish', () => (sent = true));
    req.on('timeout', () => req.destroy(new Error('the leader did not answer in time')));
    req.on('error', () => fail(sent ? lostLeader() : noLeader()));
    req.end(body);
  }

  private answer(batch: Forwarding[], status: number, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const outcomes = (parsed as { outcomes?: ForwardedOutcome[] } | undefined)?.outcomes;
    if (status !== 200 || !Array.isArray(outcomes) || outcomes.length !== batch.length) {
      // Refused as a whole (the node is no longer the leader, or is taking over): nothing was run.
      const error = (parsed as { error?: { code?: ErrorCode; message?: string } } | undefined)?.error;
      const refusal =
        status === 503 && error?.code === 'UNAVAILABLE'
          ? noLeader()
          : status >= 500 || status === 0
            ? lostLeader()
            : new DomainError('UNAVAILABLE', `the leader refused the forwarded commands (HTTP ${status})`);
      for (const job of batch) job.reject(refusal);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) job.resolve(revive(outcome.value));
      else job.reject(new DomainError(outcome.code, outcome.message));
    });
  }
}
