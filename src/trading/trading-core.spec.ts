import type { TradingCommand } from './commands';
import { BUYER, CLUSTER, MARKET, NOW, SELLER, emptyCore, limit } from './testing/fixtures';
import type { TradingCore } from './trading-core';

const funded = () => emptyCore({ available: [[BUYER.accountId, '10000']] });

/** A little trading session: a resting sell, a buy that takes part of it, a resting buy, an amend, a cancel. */
const SESSION: TradingCommand[] = [
  { kind: 'place', trader: SELLER, order: limit('sell', '2.00', 16), cluster: CLUSTER },
  { kind: 'place', trader: BUYER, order: limit('buy', '2.10', 8, { clientOrderId: 'take' }), cluster: null },
  { kind: 'place', trader: BUYER, order: limit('buy', '1.50', 8), cluster: null },
  { kind: 'amend', accountId: BUYER.accountId, orderId: 3, quantity: 16, price: null, sides: ['buy'] },
  { kind: 'cancel', accountId: SELLER.accountId, orderId: 1, sides: ['sell'] },
  { kind: 'deposit', accountId: BUYER.accountId, amount: '5.5' },
  { kind: 'tick' },
];

function run(core: TradingCore, commands: TradingCommand[]) {
  return commands.map((command, i) => core.execute(command, NOW + i * 1000));
}

describe('TradingCore', () => {
  it('is deterministic: the same commands from the same state give the same events and the same state hash', () => {
    const [a, b] = [funded(), funded()];
    expect(JSON.stringify(run(a, SESSION))).toEqual(JSON.stringify(run(b, SESSION)));
    expect(a.stateHash()).toEqual(b.stateHash());
    expect(a.stateHash()).not.toEqual(funded().stateHash());
  });

  it.each<[string, TradingCommand, string]>([
    [
      'a NUL in a clientOrderId',
      {
        kind: 'place',
        trader: BUYER,
        order: limit('buy', '1.00', 8, { clientOrderId: 'a\u0000' }),
        cluster: null,
      },
      'INVALID_REQUEST',
    ],
    [
      'a lone surrogate in a clientOrderId',
      {
        kind: 'place',
        trader: BUYER,
        order: limit('buy', '1.00', 8, { clientOrderId: '\ud800' }),
        cluster: null,
      },
      'INVALID_REQUEST',
    ],
    [
      'a quantity beyond an integer column',
      { kind: 'place', trader: BUYER, order: limit('buy', '1.00', 2 ** 31), cluster: null },
      'INVALID_QUANTITY',
    ],
    [
      'hours beyond an integer column',
      {
        kind: 'place',
        trader: BUYER,
        order: limit('buy', '1.00', 8, { durationHours: 2 ** 31 }),
        cluster: null,
      },
      'INVALID_DURATION',
    ],
    [
      'a price beyond what units hold',
      { kind: 'place', trader: BUYER, order: limit('buy', '1.00', 8, { price: 2 ** 53 }), cluster: null },
      'INVALID_PRICE',
    ],
    [
      'an expiry after the year 9999',
      {
        kind: 'place',
        trader: BUYER,
        order: limit('buy', '1.00', 8, { timeInForce: 'GTD', expireAt: 2 ** 50 }),
        cluster: null,
      },
      'INVALID_EXPIRY',
    ],
    [
      'more than the funds',
      { kind: 'place', trader: BUYER, order: limit('buy', '1000.00', 8), cluster: null },
      'INSUFFICIENT_FUNDS',
    ],
    [
      'a sell on another seller’s cluster',
      { kind: 'place', trader: BUYER, order: limit('sell', '1.00', 8), cluster: CLUSTER },
      'UNKNOWN_CLUSTER',
    ],
    [
      'a sell beyond the cluster',
      { kind: 'place', trader: SELLER, order: limit('sell', '1.00', 72), cluster: CLUSTER },
      'INSUFFICIENT_CAPACITY',
    ],
    [
      'a NUL in an SSH key',
      { kind: 'setSshKey', accountId: BUYER.accountId, key: 'ssh-ed25519 AAAA a\u0000b' },
      'INVALID_REQUEST',
    ],
    [
      'a deposit that is not a decimal',
      { kind: 'deposit', accountId: BUYER.accountId, amount: '1e9' },
      'INVALID_REQUEST',
    ],
    ['a deposit of zero', { kind: 'deposit', accountId: BUYER.accountId, amount: '0' }, 'INVALID_REQUEST'],
    [
      'an amend beyond an integer column',
      {
        kind: 'amend',
        accountId: BUYER.accountId,
        orderId: 3,
        quantity: 2 ** 31,
        price: null,
        sides: ['buy'],
      },
      'INVALID_QUANTITY',
    ],
    [
      'a cancel of another account’s order',
      { kind: 'cancel', accountId: SELLER.accountId, orderId: 3, sides: ['buy', 'sell'] },
      'ORDER_NOT_OPEN',
    ],
    [
      'access details with a NUL',
      { kind: 'activateLease', leaseId: 'missing', access: { host: 'a\u0000' }, checks: null },
      'LEASE_NOT_PROVISIONING',
    ],
  ])('refuses %s, and changes nothing', (_what, command, code) => {
    const core = funded();
    run(core, SESSION.slice(0, 3));
    const before = core.stateHash();
    const { outcome, events } = core.execute(command, NOW + 60_000);
    expect(outcome).toMatchObject({ ok: false, code });
    expect(events).toEqual([]);
    expect(core.stateHash()).toEqual(before);
  });

  it.each<[string, TradingCommand]>([
    [
      'a cancel of a buy by a key without the trade scope',
      { kind: 'cancel', accountId: BUYER.accountId, orderId: 3, sides: ['sell'] },
    ],
    [
      'an amend of a buy by a key without the trade scope',
      { kind: 'amend', accountId: BUYER.accountId, orderId: 3, quantity: 16, price: null, sides: [] },
    ],
    [
      'a cancel-all by a key that may act on neither side',
      { kind: 'cancelAll', trader: BUYER, symbol: null, sides: [] },
    ],
  ])('refuses %s with FORBIDDEN, and changes nothing', (_what, command) => {
    const core = funded();
    run(core, SESSION.slice(0, 3));
    const before = core.stateHash();
    expect(core.execute(command, NOW + 60_000).outcome).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(core.stateHash()).toEqual(before);
  });

  it('cancels only the sides a key may act on', () => {
    const core = funded();
    run(core, SESSION.slice(0, 3));
    const { outcome } = core.execute(
      { kind: 'cancelAll', trader: SELLER, symbol: null, sides: ['buy'] },
      NOW + 5000,
    );
    expect(outcome).toEqual({ ok: true, value: { orders: [] } });
    const sells = core.execute(
      { kind: 'cancelAll', trader: SELLER, symbol: null, sides: ['sell'] },
      NOW + 6000,
    );
    expect(
      sells.outcome.ok && 'orders' in sells.outcome.value && sells.outcome.value.orders.map((o) => o.id),
    ).toEqual([1]);
  });

  it('refuses access details or a failure reason the database cannot store, for a lease that is provisioning', () => {
    const core = funded();
    run(core, SESSION.slice(0, 2));
    const [lease] = core.state.leases.sorted();
    const before = core.stateHash();
    for (const command of [
      { kind: 'activateLease', leaseId: lease.id, access: { host: 'a\u0000' }, checks: null },
      { kind: 'activateLease', leaseId: lease.id, access: { ['k\ud800']: 1 }, checks: null },
      { kind: 'activateLease', leaseId: lease.id, access: { blob: 'x'.repeat(20_000) }, checks: null },
      { kind: 'failLease', leaseId: lease.id, reason: 'broken\u0000' },
    ] as TradingCommand[]) {
      expect(core.execute(command, NOW + 5000).outcome).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    }
    expect(core.stateHash()).toEqual(before);
    expect(
      core.execute(
        { kind: 'activateLease', leaseId: lease.id, access: { host: 'n1' }, checks: null },
        NOW + 5000,
      ).outcome,
    ).toMatchObject({
      ok: true,
      value: { lease: { status: 'active' } },
    });
  });

  it('keeps every digit of money a column holds, and refuses a balance beyond it', () => {
    const core = emptyCore();
    const amount = '123456789012345.1234567891';
    expect(core.execute({ kind: 'deposit', accountId: BUYER.accountId, amount }, NOW).outcome.ok).toBe(true);
    expect(core.execute({ kind: 'deposit', accountId: BUYER.accountId, amount }, NOW).outcome.ok).toBe(true);
    expect(core.state.balances.availableOf(BUYER.accountId).toFixed()).toBe('246913578024690.2469135782');
    const rich = emptyCore({ available: [[BUYER.accountId, '99999999999999999999']] });
    expect(
      rich.execute({ kind: 'deposit', accountId: BUYER.accountId, amount: '1' }, NOW).outcome,
    ).toMatchObject({
      ok: false,
      code: 'INVALID_REQUEST',
    });
  });

  it('answers a repeated clientOrderId with the order it placed first', () => {
    const core = funded();
    const [, , first] = run(core, SESSION.slice(0, 3)).map((e) => e.outcome);
    expect(first.ok).toBe(true);
    const again = core.execute(SESSION[1], NOW + 10_000);
    expect(again.outcome).toEqual({ ok: true, value: { earlierOrderId: 2 } });
    expect(again.events).toEqual([]);
  });

  it('bills a release during an interrupt notice for the whole hours delivered, as the interruption would have', () => {
    const core = emptyCore({ available: [[BUYER.accountId, '10000']], provisioning: { mode: 'instant' } });
    const int = 'H100-SXM.us-east.int';
    core.execute(
      { kind: 'place', trader: SELLER, order: limit('sell', '2.00', 8, { symbol: int }), cluster: CLUSTER },
      NOW,
    );
    core.execute(
      {
        kind: 'place',
        trader: BUYER,
        order: limit('buy', '2.00', 8, { symbol: int, durationHours: 10 }),
        cluster: null,
      },
      NOW,
    );
    const [lease] = core.state.leases.sorted();
    const hour = 3_600_000;
    core.execute(
      { kind: 'interruptLease', accountId: SELLER.accountId, leaseId: lease.id },
      NOW + 3 * hour + 60_000,
    );
    const released = core.execute(
      { kind: 'releaseLease', accountId: BUYER.accountId, leaseId: lease.id },
      NOW + 3 * hour + 120_000,
    );
    expect(released.outcome).toMatchObject({ ok: true, value: { lease: { status: 'released' } } });
    // 3 whole hours of 8 GPUs at 2.00 are paid; the other 7 of the 10 escrowed are refunded.
    const money = released.events.flatMap((e) => (e.type === 'ledger.posted' ? [e.transaction] : []));
    expect(money.map((t) => t.kind)).toEqual(['settlement', 'refund']);
    expect(money[0].postings.find((p) => p.book === 'escrow')?.amount.toFixed()).toBe('-48');
    expect(money[1].postings.find((p) => p.book === 'available')?.amount.toFixed()).toBe('112');
    // Without a notice a firm release still pays the whole lease.
    const firm = emptyCore({ available: [[BUYER.accountId, '10000']], provisioning: { mode: 'instant' } });
    firm.execute({ kind: 'place', trader: SELLER, order: limit('sell', '2.00', 8), cluster: CLUSTER }, NOW);
    firm.execute(
      { kind: 'place', trader: BUYER, order: limit('buy', '2.00', 8, { durationHours: 10 }), cluster: null },
      NOW,
    );
    const [whole] = firm.state.leases.sorted();
    const paid = firm.execute(
      { kind: 'releaseLease', accountId: BUYER.accountId, leaseId: whole.id },
      NOW + hour,
    );
    expect(
      paid.events
        .filter((e) => e.type === 'ledger.posted')
        .map((e) => e.type === 'ledger.posted' && e.transaction.kind),
    ).toEqual(['settlement']);
  });

  it('names in each fill the buy order, the trade and the lease it opened', () => {
    const core = funded();
    const [, taking] = run(core, SESSION.slice(0, 2));
    const fill = taking.events.find((e) => e.type === 'ledger.posted' && e.transaction.kind === 'fill');
    const trade = taking.events.find((e) => e.type === 'trade.executed');
    expect(trade).toBeDefined();
    expect(fill).toMatchObject({
      transaction: {
        orderId: 2,
        tradeId: `${MARKET.symbol}:1`,
        leaseId: trade?.type === 'trade.executed' && trade.trade.leaseId,
      },
    });
  });
});
