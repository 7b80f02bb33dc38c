import { CircuitBreaker } from './circuit-breaker';
import { DeliveryLanes } from './delivery-lanes';
import type { WebhookDelivery } from './webhook-delivery';

const delivery = (id: string, clusterId: string, leaseId = id, dueAt = 0): WebhookDelivery => ({
  id,
  leaseId,
  clusterId,
  type: 'lease.provision',
  payload: '{}',
  attempts: 0,
  nextAttemptAt: new Date(dueAt),
  createdAt: new Date(0),
});

const breaker = { failures: 2, openMs: 100, maxOpenMs: 350 };

describe('DeliveryLanes', () => {
  it('serves clusters round-robin when the global cap is what limits, starting each round where the last stopped', () => {
    const lanes = new DeliveryLanes({ inFlight: 4, inFlightPerCluster: 3, inFlightPerAccount: 64, breaker });
    for (let i = 0; i < 10; i++) lanes.add(delivery(`a${i}`, 'A'));
    lanes.add(delivery('b0', 'B'));
    lanes.add(delivery('c0', 'C'));
    lanes.add(delivery('c1', 'C'));
    const first = lanes.take(1, new Set());
    expect(first.starts.map((s) => s.delivery.id)).toEqual(['a0', 'b0', 'c0', 'a1']);
    for (const { delivery: d } of first.starts) {
      lanes.remove(d);
      lanes.finished(d);
    }
    // A served last: the next round starts with B (now empty), then C, then A.
    expect(lanes.take(1, new Set()).starts.map((s) => s.delivery.id)).toEqual(['c1', 'a2', 'a3', 'a4']);
  });

  it("caps each cluster's requests in flight, skips busy leases, and says when the next is due", () => {
    const lanes = new DeliveryLanes({ inFlight: 64, inFlightPerCluster: 2, inFlightPerAccount: 64, breaker });
    lanes.add(delivery('p', 'A', 'lease-1'));
    lanes.add(delivery('d', 'A', 'lease-1')); // the same lease: never both at once
    lanes.add(delivery('x', 'A', 'lease-2'));
    lanes.add(delivery('y', 'A', 'lease-3'));
    lanes.add(delivery('later', 'B', 'lease-4', 500));
    const { starts, nextDue } = lanes.take(100, new Set(['lease-2']));
    expect(starts.map((s) => s.delivery.id)).toEqual(['p', 'y']);
    expect(nextDue).toBe(500);
    expect(lanes.take(100, new Set()).starts).toEqual([]); // A is at its cap
  });

  it("caps one account's requests in flight across all its clusters, leaving the other slots to other accounts", () => {
    const accountOf = (clusterId: string) => (clusterId.startsWith('dead') ? 'attacker' : clusterId);
    const lanes = new DeliveryLanes(
      { inFlight: 8, inFlightPerCluster: 2, inFlightPerAccount: 3, breaker },
      accountOf,
    );
    for (let c = 0; c < 10; c++) for (let i = 0; i < 5; i++) lanes.add(delivery(`dead${c}-${i}`, `dead${c}`));
    lanes.add(delivery('honest-0', 'honest'));
    lanes.add(delivery('honest-1', 'honest'));
    const started = lanes.take(1, new Set()).starts.map((s) => s.delivery.id);
    expect(started.filter((id) => id.startsWith('dead'))).toHaveLength(3);
    expect(started.filter((id) => id.startsWith('honest'))).toEqual(['honest-0', 'honest-1']);
    // The attacker's three stay in flight: nothing more of theirs starts, however many are due.
    expect(lanes.take(2, new Set()).starts).toEqual([]);
  });
});

describe('CircuitBreaker', () => {
  it('opens after failures in a row, fails fast, lets one probe through, and doubles its wait after a failed probe', () => {
    const b = new CircuitBreaker(breaker);
    expect(b.passage(0)).toBe('send');
    expect(b.failed(0)).toBe(false);
    b.succeeded(); // a success in between resets the count
    expect(b.failed(10)).toBe(false);
    expect(b.failed(20)).toBe(true); // opened now, until 120
    expect(b.failed(25)).toBe(false); // already open
    expect(b.passage(100)).toBe('fail-fast');
    expect(b.passage(125)).toBe('probe');
    expect(b.passage(126)).toBe('fail-fast'); // one probe at a time
    b.failed(130); // the probe failed: open for 200
    expect(b.passage(329)).toBe('fail-fast');
    expect(b.passage(330)).toBe('probe');
    b.failed(330); // 400, capped at 350
    expect(b.passage(679)).toBe('fail-fast');
    expect(b.passage(680)).toBe('probe');
    b.succeeded();
    expect(b.open).toBe(false);
    expect(b.passage(681)).toBe('send');
  });

  it('a probe that says nothing of the cluster lets the next one through', () => {
    const b = new CircuitBreaker(breaker);
    b.failed(0);
    b.failed(0);
    expect(b.passage(100)).toBe('probe');
    b.probeVoid();
    expect(b.passage(101)).toBe('probe');
  });
});
