import Decimal from 'decimal.js';
import type { TradingCommand } from './commands';
import type { LedgerPostedEvent, TradingEvent } from './events';
import { BUYER, CLUSTER, INTERRUPTIBLE, NOW, SELLER, emptyCore, limit } from './testing/fixtures';
import type { TradingCore } from './trading-core';
import type { LeaseSnapshot, ProvisioningPolicy } from './types';

const MINUTE = 60_000;

/**
 * A seller's 8 GPUs at 2.00 bought for 2 hours: notional 32.00. The market's fee is 100 bps, its SLA credit 1000
 * bps, and it promises activation within 10 minutes.
 */
function traded(
  sellerAvailable = '100',
  provisioning?: ProvisioningPolicy,
): { core: TradingCore; lease: LeaseSnapshot } {
  const core = emptyCore({
    available: [
      [BUYER.accountId, '1000'],
      [SELLER.accountId, sellerAvailable],
    ],
    provisioning,
  });
  core.execute({ kind: 'place', trader: SELLER, order: limit('sell', '2.00', 8), cluster: CLUSTER }, NOW);
  core.execute({ kind: 'place', trader: BUYER, order: limit('buy', '2.10', 8), cluster: null }, NOW);
  const [lease] = core.state.leases.sorted();
  return { core, lease };
}

const leaseSteps = (events: readonly TradingEvent[]) =>
  events.flatMap((e) => (e.type === 'lease.changed' ? [`${e.from}->${e.to}`] : []));
const postings = (events: readonly TradingEvent[], kind: string) =>
  events
    .filter((e): e is LedgerPostedEvent => e.type === 'ledger.posted' && e.transaction.kind === kind)
    .map((e) => e.transaction);
const available = (core: TradingCore, id: string) => core.state.balances.availableOf(id).toFixed();
const passed = (gpus = 8) => ({ passed: true, gpus, nodesUp: 1 });

describe('acceptance checks and SLA credits', () => {
  it('shows a checked lease verifying, then active, even when the report comes with the answer', () => {
    const { core, lease } = traded();
    const { outcome, events } = core.execute(
      { kind: 'activateLease', leaseId: lease.id, access: { host: 'n1' }, checks: passed() },
      NOW + MINUTE,
    );
    expect(leaseSteps(events)).toEqual(['provisioning->verifying', 'verifying->active']);
    expect(outcome).toMatchObject({ ok: true, value: { lease: { status: 'active', checks: passed() } } });
    const after = core.state.leases.get(lease.id) as LeaseSnapshot;
    expect(after.startAt).toBe(NOW + MINUTE);
  });

  it('starts paid time at active, not when the cluster began its checks', () => {
    const { core, lease } = traded();
    const verify = core.execute(
      { kind: 'verifyLease', leaseId: lease.id, access: { host: 'n1' } },
      NOW + MINUTE,
    );
    expect(leaseSteps(verify.events)).toEqual(['provisioning->verifying']);
    expect(core.state.leases.get(lease.id)).toMatchObject({ status: 'verifying', startAt: null });
    const activate = core.execute(
      { kind: 'activateLease', leaseId: lease.id, access: null, checks: passed() },
      NOW + 3 * MINUTE,
    );
    expect(leaseSteps(activate.events)).toEqual(['verifying->active']);
    expect(core.state.leases.get(lease.id)).toMatchObject({
      status: 'active',
      startAt: NOW + 3 * MINUTE,
      access: { host: 'n1' },
    });
  });

  it('fails a lease whose checks fail: a full refund, and the seller credits the buyer for every GPU-hour', () => {
    const { core, lease } = traded();
    const { events } = core.execute(
      { kind: 'activateLease', leaseId: lease.id, access: null, checks: { passed: false, gpus: 8 } },
      NOW + MINUTE,
    );
    expect(leaseSteps(events)).toEqual(['provisioning->failed']);
    expect(postings(events, 'refund')[0].postings.map((p) => p.amount.toFixed())).toEqual(['-32', '32']);
    // 16 GPU-hours x 2.00 x 10% = 3.20, from the seller's 100.
    const [credit] = postings(events, 'credit');
    expect(credit.credit).toMatchObject({ reason: 'not_delivered', creditBps: 1000 });
    expect(credit.credit?.undeliveredGpuHours.toFixed()).toBe('16');
    expect(credit.postings.map((p) => [p.accountId, p.book, p.amount.toFixed()])).toEqual([
      [SELLER.accountId, 'available', '-3.2'],
      [BUYER.accountId, 'available', '3.2'],
    ]);
    expect(available(core, SELLER.accountId)).toBe('96.8');
    expect(available(core, BUYER.accountId)).toBe('1003.2');
    expect(core.state.leases.get(lease.id)).toBeUndefined();
  });

  it('caps a credit at what the seller has, and records none when it has nothing', () => {
    const poor = traded('1.5');
    const capped = poor.core.execute(
      {
        kind: 'failLease',
        leaseId: poor.lease.id,
        reason: 'gpu 3 fell off the bus',
        checks: { passed: false, gpus: 7 },
      },
      NOW + MINUTE,
    );
    const [credit] = postings(capped.events, 'credit');
    expect(credit.postings[1].amount.toFixed()).toBe('1.5');
    expect(credit.credit?.penalty.toFixed()).toBe('3.2');
    expect(available(poor.core, SELLER.accountId)).toBe('0');
    const broke = traded('0');
    const none = broke.core.execute(
      { kind: 'activateLease', leaseId: broke.lease.id, access: null, checks: { passed: false, gpus: 8 } },
      NOW + MINUTE,
    );
    expect(postings(none.events, 'credit')).toEqual([]);
    const failed = none.outcome.ok && 'lease' in none.outcome.value ? none.outcome.value.lease : null;
    expect(failed?.credited?.toFixed()).toBe('0');
  });

  it('fails a report that found fewer GPUs than the lease bought, and one missing where checks are required', () => {
    const short = traded();
    const { outcome } = short.core.execute(
      { kind: 'activateLease', leaseId: short.lease.id, access: null, checks: passed(4) },
      NOW + MINUTE,
    );
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        lease: { status: 'failed', failureReason: 'the acceptance checks found 4 GPUs, the lease bought 8' },
      },
    });
    const strict = traded('100', { mode: 'webhook', deadlineMs: 600_000, requireChecks: true });
    const unchecked = strict.core.execute(
      { kind: 'activateLease', leaseId: strict.lease.id, access: { host: 'n1' }, checks: null },
      NOW + MINUTE,
    );
    expect(unchecked.outcome).toMatchObject({ ok: true, value: { lease: { status: 'failed' } } });
  });

  it('ends a lease whose nodes were lost: the buyer pays to the GPU-second delivered and is credited the rest', () => {
    const { core, lease } = traded();
    core.execute(
      { kind: 'activateLease', leaseId: lease.id, access: { host: 'n1' }, checks: null },
      NOW + MINUTE,
    );
    const lostAt = NOW + MINUTE + 30 * MINUTE + 1000;
    const { outcome, events } = core.execute(
      { kind: 'loseLease', leaseId: lease.id, reason: 'node gpu-1 drained' },
      lostAt,
    );
    expect(leaseSteps(events)).toEqual(['active->interrupted']);
    // 8 GPUs x 1,801 s = 4.00222 GPU-hours, counted down to 4.0022; paid 8.0044, fee 1% of it.
    expect(outcome).toMatchObject({
      ok: true,
      value: { lease: { status: 'interrupted', endedAt: lostAt } },
    });
    const ended = (outcome.ok && 'lease' in outcome.value && outcome.value.lease) as LeaseSnapshot;
    expect([ended.paid, ended.fee, ended.refunded, ended.credited].map((d) => d?.toFixed())).toEqual([
      '8.0044',
      '0.080044',
      '23.9956',
      '2.39956',
    ]);
    const [credit] = postings(events, 'credit');
    expect(credit.credit?.reason).toBe('ended_early');
    expect(credit.credit?.undeliveredGpuHours.toFixed()).toBe('11.9978');
    // The seller had 100, got 8.0044 - 0.080044, then paid the credit.
    expect(available(core, SELLER.accountId)).toBe(
      new Decimal(100).plus('8.0044').minus('0.080044').minus('2.39956').toFixed(),
    );
    expect(available(core, BUYER.accountId)).toBe(
      new Decimal(1000).minus(32).plus('23.9956').plus('2.39956').toFixed(),
    );
  });

  it('credits an activation later than promised when the lease settles, from its proceeds', () => {
    const { core, lease } = traded('0');
    core.execute({ kind: 'activateLease', leaseId: lease.id, access: {}, checks: null }, NOW + 25 * MINUTE);
    const { events } = core.execute({ kind: 'tick' }, NOW + 25 * MINUTE + 2 * 3_600_000);
    // 15 minutes late x 8 GPUs = 2 GPU-hours x 2.00 x 10% = 0.40, out of the seller's 31.68 payout.
    const [credit] = postings(events, 'credit');
    expect(credit.credit).toMatchObject({ reason: 'late_activation' });
    expect(credit.credit?.undeliveredGpuHours.toFixed()).toBe('2');
    expect(credit.postings.map((p) => p.amount.toFixed())).toEqual(['-0.4', '0.4']);
    expect(available(core, SELLER.accountId)).toBe('31.28');
  });

  it('fails a lease still verifying at its deadline, with a full refund', () => {
    const { core, lease } = traded();
    core.execute({ kind: 'verifyLease', leaseId: lease.id, access: {} }, NOW + MINUTE);
    const { events } = core.execute({ kind: 'tick' }, NOW + 600_000);
    expect(leaseSteps(events)).toEqual(['verifying->failed']);
    expect(postings(events, 'refund')[0].postings[1].amount.toFixed()).toBe('32');
  });

  it('refuses a report the database cannot store or that makes no sense, and changes nothing', () => {
    const { core, lease } = traded();
    const before = core.stateHash();
    for (const checks of [
      { passed: true, gpus: 8, node: 'a\u0000' },
      { passed: true, gpus: 8, ['k\ud800']: 1 },
      { passed: 'yes', gpus: 8 },
      { passed: true, gpus: -1 },
      { passed: true, gpus: 1.5 },
      { passed: true, gpus: 2 ** 60 },
      { passed: true, gpus: 8, log: 'x'.repeat(20_000) },
    ]) {
      const command = { kind: 'activateLease', leaseId: lease.id, access: null, checks } as TradingCommand;
      expect(core.execute(command, NOW + MINUTE).outcome).toMatchObject({
        ok: false,
        code: 'INVALID_REQUEST',
      });
    }
    expect(core.stateHash()).toEqual(before);
  });

  it('tells the cluster of an interrupt notice', () => {
    const core = emptyCore({ available: [[BUYER.accountId, '1000']] });
    const sell = limit('sell', '2.00', 8, { symbol: INTERRUPTIBLE.symbol });
    core.execute({ kind: 'place', trader: SELLER, order: sell, cluster: CLUSTER }, NOW);
    const buy = limit('buy', '2.10', 8, { symbol: INTERRUPTIBLE.symbol });
    core.execute({ kind: 'place', trader: BUYER, order: buy, cluster: null }, NOW);
    const [lease] = core.state.leases.sorted();
    core.execute({ kind: 'activateLease', leaseId: lease.id, access: {}, checks: null }, NOW);
    const { events } = core.execute(
      { kind: 'interruptLease', accountId: SELLER.accountId, leaseId: lease.id },
      NOW + MINUTE,
    );
    const webhooks = events.flatMap((e) => (e.type === 'webhook.requested' ? [e.request] : []));
    expect(webhooks.map((w) => w.type)).toEqual(['lease.interrupt']);
    expect(JSON.parse(webhooks[0].payload).lease.interruptAt).toBe(
      new Date(NOW + MINUTE + 15 * MINUTE).toISOString(),
    );
  });
});
