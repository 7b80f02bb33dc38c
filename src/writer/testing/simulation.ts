import Decimal from 'decimal.js';
import { Clock } from '../../common/clock';
import type { DomainError } from '../../common/domain-error';
import { formatUnits, ZERO } from '../../trading/money';
import type { NewOrder, TradingCommand } from '../../trading/commands';
import { tradingStateHash } from '../../trading/state-hash';
import type { TradingState } from '../../trading/state/trading-state';
import { TradingStateBuilder } from '../../trading/state/build-state';
import { TradingCore } from '../../trading/trading-core';
import type { ClusterTerms, LeaseSnapshot, OrderSnapshot, Trader } from '../../trading/types';
import { INTERRUPTIBLE, MARKET } from '../../trading/testing/fixtures';
import { MarketFeed } from '../../market-data/market-feed';
import type { MarketDataRepository } from '../../market-data/market-data.repository';
import { PrivateFeed } from '../../gateway/private-feed';
import type { CommittedBatch, CommittedEntry } from '../committed-batch';
import { NameBasedIds } from '../name-based-ids';
import { TradingWriter } from '../trading-writer';
import { Fault, MemoryStore, NAMESPACE } from './memory-store';

/** A small seeded generator (mulberry32): the same seed, the same run. */
export class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

class SimClock extends Clock {
  time = 1_800_000_000_000;
  now(): number {
    return this.time;
  }
}

const BUYERS: Trader[] = [1, 2, 3, 4, 5, 6].map((n) => ({
  accountId: `1000000${n}-0000-4000-8000-000000000000`,
  engineAccountId: n,
}));
const SELLERS: Trader[] = [7, 8].map((n) => ({
  accountId: `2000000${n}-0000-4000-8000-000000000000`,
  engineAccountId: n,
}));
const CLUSTERS: ClusterTerms[] = SELLERS.map((s, i) => ({
  id: `3000000${i}-0000-4000-8000-000000000000`,
  accountId: s.accountId,
  gpu: MARKET.gpu,
  region: MARKET.region,
  gpuCount: 256,
}));
const MARKETS = [MARKET, INTERRUPTIBLE];
const POLICY = { mode: 'webhook', deadlineMs: 30 * 60_000, requireChecks: false } as const;
/** A clientOrderId the in-memory database refuses (as PostgreSQL refuses a NUL the core did not see). */
const POISON = 'poison-';
const MAX_QUEUE = 48;

/** What the harness knows of one submitted command, and how it was answered. */
interface Sent {
  command: TradingCommand;
  /** The command is bad on purpose: refused by the core, or by the database (poison). */
  hostile: boolean;
  poison: boolean;
  /** The queue was full when it was sent: OVERLOADED is its own fate. */
  overloadExpected: boolean;
  step: number;
  answer: { ok: true; value: unknown } | { ok: false; code: string; message: string } | null;
}

/**
 * A deterministic simulation of the trading writer, in the spirit of FoundationDB's and TigerBeetle's: a seeded
 * stream of commands from many accounts (a share of them hostile) goes through the real writer and core, in
 * waves that pipeline into batches, in front of an in-memory database that injects faults (commits that fail,
 * connections lost before and after a commit, slow commits, outages) and refuses poisoned data. After every step
 * it checks the invariants; `failures` lists what broke, with the step.
 */
export class Simulation {
  readonly failures: string[] = [];
  private readonly random: Random;
  private readonly clock = new SimClock();
  private readonly store = new MemoryStore(MARKETS, CLUSTERS);
  private readonly writer: TradingWriter;
  private readonly marketFeed: MarketFeed;
  private readonly sent: Sent[] = [];
  /** Every answer's code, in the order commands were sent (for `digest`). */
  private readonly answers: string[] = [];
  private readonly faultCounts: Record<string, number> = {};
  /** Every committed command, in commit order, as far as the last check took it in (see `absorb`). */
  private readonly sequence: CommittedEntry[] = [];
  private deliveredNext = 0;
  private storeNext = 0;
  /** Commands handed downstream (answered as committed or refused), and commands in the database. */
  private readonly answered = new Set<TradingCommand>();
  private readonly stored = new Set<TradingCommand>();
  private readonly committedSnapshots = new Set<string>();
  /** Each book's balance as the committed ledger transactions add up (as far as `ledgerNext`). */
  private readonly postings = new Map<string, Decimal>();
  private ledgerNext = 0;
  /** Commands answered OUTCOME_UNKNOWN (they may be in the database, never handed downstream). */
  private readonly unknown = new Set<TradingCommand>();
  /** Commands whose data the database refused, found by isolating them. */
  private isolated = 0;
  /** Every batch handed downstream, in order (what feeds and acks were built from). */
  private readonly delivered: CommittedBatch[] = [];
  /** Order snapshots shown on private channels. */
  private readonly shown: { id: string; status: string; filledQuantity: number; updatedAt: string }[] = [];
  private state: TradingState | null = null;
  /** The committed commands replayed from empty, step by step. */
  private readonly replay: TradingCore;
  private replayed = 0;
  /** Faults injected in this step's commits (-1: none are injected). */
  private faultsThisStep = 0;
  private outage = false;
  private step = 0;
  private readonly orderIds = new Map<string, number[]>();
  private readonly leases = new Map<string, LeaseSnapshot>();
  private clientIds = 0;

  constructor(readonly seed: number) {
    this.random = new Random(seed);
    this.writer = new TradingWriter(
      this.store,
      this.clock,
      POLICY,
      { maxBatch: 16, maxQueue: MAX_QUEUE, verifyForMs: 0 },
      { log: () => {}, warn: () => {}, error: (message) => this.fail(`writer error: ${message}`) },
    );
    this.writer.onLoaded((state) => (this.state = state));
    this.writer.onCommitted((batch) => this.delivered.push(batch));
    this.writer.onCommitted((batch) => this.learn(batch));
    const noHistory = { recent: async () => ({ trades: [], last: [] }) } as unknown as MarketDataRepository;
    this.marketFeed = new MarketFeed(this.writer, noHistory, this.clock);
    new PrivateFeed(this.writer).onMessage((_account, channel, message) => {
      if (channel === 'orders') this.shown.push((message() as { order: Simulation['shown'][number] }).order);
    });
    this.replay = new TradingCore(emptyState(), new NameBasedIds(NAMESPACE), POLICY);
    this.store.refuses = (order) => order.clientOrderId?.startsWith(POISON) ?? false;
    this.store.faultOf = () => this.fault();
  }

  async run(steps: number): Promise<void> {
    await this.writer.start();
    await this.settle(
      [...BUYERS, ...SELLERS].map((t) =>
        this.send({ kind: 'deposit', accountId: t.accountId, amount: '50000' }),
      ),
    );
    for (this.step = 1; this.step <= steps && this.failures.length === 0; this.step++) {
      this.clock.time += this.random.int(0, 20) * 60_000;
      this.faultsThisStep = 0;
      this.outage = this.random.chance(0.03);
      if (this.outage) this.faultCounts.outage = (this.faultCounts.outage ?? 0) + 1;
      this.store.unreachable = this.outage;
      const waves = this.random.int(1, 3);
      const pending: Promise<void>[] = [];
      for (let w = 0; w < waves; w++) {
        const count = this.random.chance(0.05) ? MAX_QUEUE + 8 : this.random.int(1, 10);
        for (let i = 0; i < count; i++) pending.push(this.send(...this.nextCommand()));
        await turn();
      }
      await this.settle(pending);
      const troubled = this.faultsThisStep > 0 || this.outage;
      // Faults end with the step; one tick then runs on the state as the database holds it.
      this.store.unreachable = false;
      this.faultsThisStep = -1;
      await this.settle([this.send({ kind: 'tick' })]);
      this.check(troubled);
    }
  }

  /** How much the run exercised: answers by code, faults by kind, trades and leases committed. */
  stats(): Record<string, number> {
    const counts: Record<string, number> = { ...this.faultCounts };
    for (const code of this.answers) counts[code] = (counts[code] ?? 0) + 1;
    counts.isolated = this.isolated;
    counts.trades = this.store.trades.length;
    counts.leases = this.store.leases.size;
    counts.batches = this.store.batches.length;
    counts.loads = this.store.loads;
    return counts;
  }

  /** What the run came to: the database's journal, its balances, and the answers (to compare two runs). */
  digest(): string {
    return JSON.stringify({
      journal: this.store.journal.map((e) => [e.command.kind, e.now, e.outcome.ok]),
      balances: [...this.store.balances].map(([key, amount]) => [key, amount.toFixed()]),
      state: this.state ? tradingStateHash(this.state) : null,
      answers: this.answers,
    });
  }

  private fault(): Fault {
    if (this.faultsThisStep < 0) return 'none';
    const r = this.random.next();
    const fault: Fault =
      r < 0.04
        ? 'fail'
        : r < 0.08
          ? 'lost-before'
          : r < 0.12
            ? 'lost-after'
            : r < 0.14
              ? 'lost-after-down'
              : 'none';
    if (fault !== 'none') {
      this.faultsThisStep++;
      this.faultCounts[fault] = (this.faultCounts[fault] ?? 0) + 1;
    }
    const slow = this.random.chance(0.1) ? this.random.int(1, 4) : 0;
    this.store.hold = slow ? () => turns(slow) : null;
    return fault;
  }

  private send(command: TradingCommand, hostile = false, poison = false): Promise<void> {
    const sent: Sent = {
      command,
      hostile,
      poison,
      overloadExpected: this.writer.queued >= MAX_QUEUE,
      step: this.step,
      answer: null,
    };
    this.sent.push(sent);
    return this.writer.submit(command).then(
      (value) => {
        sent.answer = { ok: true, value };
        this.answers.push('OK');
      },
      (error: DomainError) => {
        sent.answer = { ok: false, code: error.code, message: error.message };
        this.answers.push(error.code);
        if (error.message.includes('database cannot store')) this.isolated++;
        if (error.code === 'OUTCOME_UNKNOWN') this.unknown.add(command);
      },
    );
  }

  /** Waits, turn by turn, until every command sent is answered (a bounded number of turns). */
  private async settle(pending: Promise<void>[]): Promise<void> {
    let done = false;
    void Promise.all(pending).then(() => (done = true));
    for (let i = 0; i < 20_000 && !done; i++) await turn();
    if (!done) this.fail('commands were never answered');
  }

  /** What the harness learns from committed batches: the orders it may cancel, the leases it may act on. */
  private learn(batch: CommittedBatch): void {
    for (const { events } of batch.entries) {
      for (const e of events) {
        if (e.type === 'order.created') {
          const ids = this.orderIds.get(e.order.accountId) ?? [];
          ids.push(e.order.id);
          this.orderIds.set(e.order.accountId, ids.slice(-20));
        } else if (e.type === 'lease.changed') {
          if (['provisioning', 'verifying', 'active'].includes(e.lease.status))
            this.leases.set(e.lease.id, e.lease);
          else this.leases.delete(e.lease.id);
        }
      }
    }
  }

  private nextCommand(): [TradingCommand, boolean?, boolean?] {
    const r = this.random;
    const roll = r.int(1, 100);
    const buyer = r.pick(BUYERS);
    const seller = r.pick(SELLERS);
    const anyone = r.pick([...BUYERS, ...SELLERS]);
    const leases = [...this.leases.values()];
    if (roll <= 30) return [{ kind: 'place', trader: buyer, order: this.order('buy'), cluster: null }];
    if (roll <= 48) {
      const index = SELLERS.indexOf(seller);
      const cluster = r.chance(0.05) ? CLUSTERS[1 - index] : CLUSTERS[index];
      return [{ kind: 'place', trader: seller, order: this.order('sell'), cluster }];
    }
    if (roll <= 58) {
      const ids = this.orderIds.get(anyone.accountId) ?? [0];
      return [
        {
          kind: 'cancel',
          accountId: r.chance(0.1) ? buyer.accountId : anyone.accountId,
          orderId: r.pick(ids),
          sides: this.sides(),
        },
      ];
    }
    if (roll <= 65) {
      const ids = this.orderIds.get(anyone.accountId) ?? [0];
      return [
        {
          kind: 'amend',
          accountId: anyone.accountId,
          orderId: r.pick(ids),
          quantity: r.chance(0.5) ? 8 * r.int(1, 4) : null,
          price: r.chance(0.5) ? this.price() : null,
          sides: this.sides(),
        },
      ];
    }
    if (roll <= 67)
      return [
        {
          kind: 'cancelAll',
          trader: anyone,
          symbol: r.chance(0.5) ? MARKET.symbol : null,
          sides: this.sides(),
        },
      ];
    if (roll <= 71)
      return [{ kind: 'deposit', accountId: anyone.accountId, amount: `${r.int(1, 5000)}.${r.int(0, 99)}` }];
    if (roll <= 73)
      return [
        {
          kind: 'setSshKey',
          accountId: buyer.accountId,
          key: r.chance(0.3) ? null : `ssh-ed25519 AAAA${r.int(0, 99)}`,
        },
      ];
    if (roll <= 81 && leases.length > 0) {
      const lease = r.pick(leases);
      const act = r.int(1, 13);
      const access = { host: `node-${r.int(1, 9)}` };
      if (act <= 3) return [{ kind: 'activateLease', leaseId: lease.id, access, checks: null }];
      if (act <= 4) return [{ kind: 'verifyLease', leaseId: lease.id, access }];
      if (act <= 6) {
        // Passed, failed, or passed with fewer GPUs than the lease bought.
        const checks = { passed: r.chance(0.7), gpus: lease.quantity - (r.chance(0.2) ? 8 : 0) };
        return [{ kind: 'activateLease', leaseId: lease.id, access: null, checks }];
      }
      if (act <= 7)
        return [{ kind: 'failLease', leaseId: lease.id, reason: 'no GPUs after all', checks: null }];
      if (act <= 8) return [{ kind: 'loseLease', leaseId: lease.id, reason: 'node drained' }];
      if (act <= 10) return [{ kind: 'releaseLease', accountId: lease.buyerId, leaseId: lease.id }];
      return [{ kind: 'interruptLease', accountId: lease.sellerId, leaseId: lease.id }];
    }
    if (roll <= 86) return [{ kind: 'tick' }];
    return this.hostile(buyer);
  }

  /** Bad on purpose: text with NUL, numbers beyond the columns, garbage amounts, and data only the database refuses. */
  private hostile(buyer: Trader): [TradingCommand, boolean, boolean] {
    const r = this.random;
    switch (r.int(1, 6)) {
      case 1:
        return [
          {
            kind: 'place',
            trader: buyer,
            order: this.order('buy', { clientOrderId: `nul\u0000${r.int(0, 9)}` }),
            cluster: null,
          },
          true,
          false,
        ];
      case 2:
        return [
          { kind: 'place', trader: buyer, order: this.order('buy', { quantity: 2 ** 31 }), cluster: null },
          true,
          false,
        ];
      case 3:
        return [
          {
            kind: 'deposit',
            accountId: buyer.accountId,
            amount: r.pick(['-5', '1e9', 'abc', '99999999999999999999']),
          },
          true,
          false,
        ];
      case 4:
        return [
          { kind: 'setSshKey', accountId: buyer.accountId, key: 'ssh-ed25519 AAAA a\u0000b' },
          true,
          false,
        ];
      case 5: {
        const lease = [...this.leases.values()][0];
        return [
          { kind: 'activateLease', leaseId: lease?.id ?? 'none', access: { host: 'a\ud800' }, checks: null },
          true,
          false,
        ];
      }
      default:
        return [
          {
            kind: 'place',
            trader: buyer,
            order: this.order('buy', { clientOrderId: `${POISON}${this.clientIds++}` }),
            cluster: null,
          },
          true,
          true,
        ];
    }
  }

  /** The sides a key may act on: mostly both, sometimes one, now and then none. */
  private sides(): ('buy' | 'sell')[] {
    const r = this.random.int(1, 10);
    return r <= 6 ? ['buy', 'sell'] : r <= 8 ? ['buy'] : r <= 9 ? ['sell'] : [];
  }

  private price(): number {
    return (180 + this.random.int(0, 40)) * 10_000;
  }

  private order(side: 'buy' | 'sell', more: Partial<NewOrder> = {}): NewOrder {
    const r = this.random;
    const tif = r.pick(['GTC', 'GTC', 'GTC', 'IOC', 'FOK', 'GTD'] as const);
    const market = r.chance(0.08);
    return {
      clientOrderId: r.chance(0.3) ? `c-${this.clientIds++}` : null,
      symbol: r.chance(0.8) ? MARKET.symbol : INTERRUPTIBLE.symbol,
      side,
      type: market ? 'market' : 'limit',
      price: market ? null : this.price(),
      quantity: 8 * r.int(1, 4),
      durationHours: side === 'buy' ? r.int(1, 4) : null,
      availableUntil: side === 'sell' && r.chance(0.3) ? this.clock.time + r.int(1, 8) * 3_600_000 : null,
      minQuantity: side === 'buy' && r.chance(0.2) ? 8 : null,
      timeInForce: market ? null : tif,
      expireAt: !market && tif === 'GTD' ? this.clock.time + r.int(1, 3) * 3_600_000 : null,
      postOnly: !market && tif !== 'IOC' && tif !== 'FOK' && r.chance(0.1),
      selfTradePrevention: r.pick(['cancel_newest', 'cancel_oldest', 'cancel_both', 'decrement'] as const),
      ...more,
    };
  }

  private fail(message: string): void {
    this.failures.push(`seed ${this.seed}, step ${this.step}: ${message}`);
  }

  /** The invariants, after every step (nothing is in flight). `troubled`: the step had faults or an outage. */
  private check(troubled: boolean): void {
    this.absorb();
    // Every acknowledged command was committed (and is in the database when it changed anything).
    for (const s of this.sent) {
      if (!s.answer) continue;
      if (s.answer.ok && !this.answered.has(s.command))
        this.fail(`${s.command.kind} acknowledged but never committed`);
      if (!s.answer.ok && s.answer.code === 'UNAVAILABLE' && this.stored.has(s.command))
        this.fail(`${s.command.kind} answered UNAVAILABLE ("nothing was changed") but committed`);
    }
    // Nothing downstream saw what did not commit.
    for (const o of this.shown) {
      const key = `${o.id}/${o.status}/${o.filledQuantity}/${Date.parse(o.updatedAt)}`;
      if (!this.committedSnapshots.has(key))
        this.fail(`the orders channel showed order ${o.id} ${o.status}, never committed`);
    }
    this.shown.length = 0;
    this.checkFates(troubled);
    this.checkBooks();
    this.checkLedger();
    this.checkReplay();
  }

  /**
   * Takes in what committed since the last check, in commit order, into `sequence`: the batches handed
   * downstream (refusals included, in place), with the database's batches that never were (their outcome was
   * unknown) put where they committed. A batch handed downstream as number n was made after batch n - 1
   * committed; if it wrote anything, it is the database's batch n.
   */
  private absorb(): void {
    const stored = this.store.batches;
    const take = (batch: CommittedBatch) => {
      for (const entry of batch.entries) {
        this.stored.add(entry.command);
        for (const e of entry.events)
          if (e.type === 'order.created' || e.type === 'order.updated')
            this.committedSnapshots.add(
              `${e.order.id}/${e.order.status}/${e.order.filled}/${e.order.updatedAt}`,
            );
      }
    };
    const unseenUpTo = (number: number) => {
      for (; this.storeNext < stored.length && stored[this.storeNext].number < number; this.storeNext++) {
        const batch = stored[this.storeNext];
        take(batch);
        for (const entry of batch.entries) this.unseen(entry);
        this.sequence.push(...batch.entries);
      }
    };
    for (; this.deliveredNext < this.delivered.length; this.deliveredNext++) {
      const batch = this.delivered[this.deliveredNext];
      unseenUpTo(batch.number);
      if (batch.entries.some((e) => e.events.length > 0)) {
        const mine = stored[this.storeNext];
        if (mine?.number !== batch.number || mine.entries !== batch.entries)
          this.fail(`batch ${batch.number} was handed downstream but is not the database's`);
        else take(mine);
        this.storeNext++;
      }
      for (const entry of batch.entries) this.answered.add(entry.command);
      this.sequence.push(...batch.entries);
    }
    unseenUpTo(Infinity);
  }

  /** A committed command nobody downstream saw: its sender must have been told the outcome was unknown. */
  private unseen(entry: CommittedEntry): void {
    if (!this.unknown.has(entry.command))
      this.fail(
        `${entry.command.kind} committed, but was neither handed downstream nor answered OUTCOME_UNKNOWN`,
      );
  }

  /**
   * No command fails because of another account's command: the database refuses only poisoned data, and only
   * for the poisoned command; UNAVAILABLE and OUTCOME_UNKNOWN come only with a fault; OVERLOADED only when the
   * queue is full. (Business refusals are checked by the replay: they recur with the same code.)
   */
  private checkFates(troubled: boolean): void {
    for (const s of this.sent) {
      const a = s.answer;
      if (!a) {
        this.fail(`${s.command.kind} was never answered`);
        continue;
      }
      if (a.ok) {
        if (s.poison) this.fail('a poisoned order was accepted');
        continue;
      }
      if (a.code === 'INTERNAL_ERROR') this.fail(`${s.command.kind}: INTERNAL_ERROR ${a.message}`);
      if (a.message.includes('database cannot store') && !s.poison)
        this.fail(`${s.command.kind} refused by the database for another command's data`);
      if (['UNAVAILABLE', 'OUTCOME_UNKNOWN'].includes(a.code) && !troubled)
        this.fail(`${s.command.kind} got ${a.code} with no fault injected`);
      if (a.code === 'OVERLOADED' && !s.overloadExpected)
        this.fail(`${s.command.kind} OVERLOADED below the queue limit`);
    }
    this.sent.length = 0;
  }

  /** The books equal the open orders: in the writer's memory, in the database, and in the public feed. */
  private checkBooks(): void {
    const state = this.state;
    if (!state) return this.fail('the writer has no state');
    const open = [...this.store.open.values()];
    for (const market of MARKETS) {
      const fromStore = levels(open.filter((o) => o.symbol === market.symbol));
      const fromMemory = levels([...state.orders.values()].filter((o) => o.symbol === market.symbol));
      const depth = state.engine.book(market.symbol)?.depth();
      const fromEngine = {
        bids: (depth?.bids ?? []).map(([p, q]) => [formatUnits(p), q]),
        asks: (depth?.asks ?? []).map(([p, q]) => [formatUnits(p), q]),
      };
      const feed = this.marketFeed.book(market.symbol, 10_000);
      const fromFeed = { bids: feed.bids, asks: feed.asks };
      for (const [what, book] of [
        ['memory', fromMemory],
        ['engine', fromEngine],
        ['feed', fromFeed],
      ] as const) {
        if (JSON.stringify(book) !== JSON.stringify(fromStore))
          this.fail(`${market.symbol}: the ${what} book differs from the open orders in the database`);
      }
      if (feed.sequence !== (this.store.bookSequences.get(market.symbol) ?? 0))
        this.fail(`${market.symbol}: the feed is at sequence ${feed.sequence}, the database at another`);
    }
  }

  /** The ledger balances, and every balance equals its committed postings and the writer's memory. */
  private checkLedger(): void {
    const fromPostings = this.postings;
    for (; this.ledgerNext < this.store.ledger.length; this.ledgerNext++) {
      const t = this.store.ledger[this.ledgerNext];
      const sum = t.postings.reduce((total, p) => total.plus(p.amount), ZERO);
      if (!sum.isZero()) this.fail(`a ${t.kind} transaction sums to ${sum}`);
      for (const p of t.postings) {
        const key = `${p.accountId}/${p.book}`;
        fromPostings.set(key, (fromPostings.get(key) ?? ZERO).plus(p.amount));
      }
    }
    let total = ZERO;
    for (const [key, amount] of this.store.balances) {
      total = total.plus(amount);
      if (!amount.eq(fromPostings.get(key) ?? ZERO) && !key.endsWith('/deposits'))
        this.fail(`balance ${key} is ${amount}, its postings say ${fromPostings.get(key) ?? 0}`);
    }
    if (!total.isZero()) this.fail(`money was created or lost: the books sum to ${total}`);
    for (const t of [...BUYERS, ...SELLERS]) {
      const memory = this.state?.balances.availableOf(t.accountId) ?? ZERO;
      if (!memory.eq(this.store.balanceOf(t.accountId, 'available')))
        this.fail(
          `available of ${t.accountId}: memory ${memory}, database ${this.store.balanceOf(t.accountId, 'available')}`,
        );
    }
  }

  /**
   * Replaying every committed command from empty, in commit order, gives the same answers, the same events and
   * the same state hash as the writer's memory.
   */
  private checkReplay(): void {
    for (; this.replayed < this.sequence.length; this.replayed++) {
      const entry = this.sequence[this.replayed];
      const again = this.replay.execute(entry.command, entry.now);
      if (
        JSON.stringify(again.outcome) !== JSON.stringify(entry.outcome) ||
        !sameEvents(again.events, entry.events)
      ) {
        this.fail(`replaying ${entry.command.kind} #${this.replayed} gave another outcome or other events`);
        return;
      }
    }
    if (this.state && tradingStateHash(this.replay.state) !== tradingStateHash(this.state))
      this.fail('the replayed state hash differs from the writer’s');
  }
}

function emptyState(): TradingState {
  return new TradingStateBuilder(MARKETS, { nextOrderId: 1, nextPriority: 1 }).build({
    books: new Map(),
    liveLeases: [],
    available: new Map(),
    deposited: ZERO,
    clusterSizes: new Map(CLUSTERS.map((c) => [c.id, c.gpuCount])),
    sshKeys: new Map(),
    recentClientOrders: [],
  });
}

/** Open orders as a book of wire levels, best first. */
function levels(orders: OrderSnapshot[]): { bids: [string, number][]; asks: [string, number][] } {
  const side = (s: 'buy' | 'sell') => {
    const byPrice = new Map<number, number>();
    for (const o of orders.filter((x) => x.side === s))
      byPrice.set(o.price as number, (byPrice.get(o.price as number) ?? 0) + o.quantity - o.filled);
    return [...byPrice]
      .sort(([a], [b]) => (s === 'buy' ? b - a : a - b))
      .map(([price, quantity]): [string, number] => [formatUnits(price), quantity]);
  };
  return { bids: side('buy'), asks: side('sell') };
}

function sameEvents(a: readonly unknown[], b: readonly unknown[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await turn();
}
