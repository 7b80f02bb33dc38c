import { Pool } from 'pg';
import { BalanceProjection } from '../../src/settlement-consumer/balance-projection';
import { startSettlementConsumer } from '../../src/settlement-consumer/settlement-consumer';
import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { Api } from '../support/api';
import { agentSeller, eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';
import { Received, broker, brokers, ledgerBalances, outbox, published, readTopics } from '../support/kafka';

const FIRM = 'H100-SXM.us-west.firm';
const INT = 'H100-SXM.us-west.int';
const LEASE_ORDER = ['lease.provisioning', 'lease.verifying', 'lease.active', 'lease.interrupt_noticed'];

/** Runs with `npm run test:kafka` (a real broker from scripts/kafka-local.sh, real PostgreSQL). */
describe('settlement events on Kafka', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let agent: ClusterAgent;
  let prefix: string;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string };

  const start = async (kafkaBrokers = brokers().join(',')) => {
    exchange = await ExchangeProcess.start(database, {
      TEST_CLOCK: 'true',
      KAFKA_BROKERS: kafkaBrokers,
      KAFKA_TOPIC_PREFIX: prefix,
    });
    api = new Api(exchange);
  };

  const place = (key: string, order: Record<string, unknown>) =>
    api.http.post('/v1/orders').set('Authorization', key).send(order).expect(201);

  const advance = (seconds: number) =>
    api.http.post('/v1/admin/clock/advance').set('Authorization', api.admin()).send({ seconds }).expect(200);

  /** The lease opened by this (filled) buy order, once the seller's cluster (the reference agent) provisioned it. */
  const leaseOf = async (order: { body: { id: string } } | null): Promise<string> => {
    const fills = (await api.http.get('/v1/fills?limit=100').set('Authorization', buyer.key).expect(200))
      .body;
    const id: string = fills.find((f: { orderId: string }) => f.orderId === order?.body.id).leaseId;
    await eventually(
      async () =>
        (await api.http.get(`/v1/leases/${id}`).set('Authorization', buyer.key).expect(200)).body.status ===
        'active',
    );
    return id;
  };

  /** Sells and crossing buys, a cancel, a released lease, then time passes so the other leases end and settle. */
  async function tradingSession(price: string): Promise<void> {
    const firmBuys: { body: { id: string } }[] = [];
    for (let i = 0; i < 3; i++) {
      await place(seller.key, {
        symbol: FIRM,
        side: 'sell',
        type: 'limit',
        price,
        quantity: 16,
        clusterId: seller.cluster,
      });
      const firmBuy = await place(buyer.key, {
        symbol: FIRM,
        side: 'buy',
        type: 'limit',
        price,
        quantity: 8,
        durationHours: 1 + i,
      });
      firmBuys.push(firmBuy);
    }
    const firmLeases = [];
    for (const buy of firmBuys) firmLeases.push(await leaseOf(buy));
    const resting = await place(buyer.key, {
      symbol: FIRM,
      side: 'buy',
      type: 'limit',
      price: '0.50',
      quantity: 8,
      durationHours: 2,
    });
    await api.http.delete(`/v1/orders/${resting.body.id}`).set('Authorization', buyer.key).expect(200);
    await api.http.post(`/v1/leases/${firmLeases[2]}/release`).set('Authorization', buyer.key).expect(200);
    // An interruptible lease: the seller takes the GPUs back after an hour; the buyer is refunded the rest.
    await place(seller.key, {
      symbol: INT,
      side: 'sell',
      type: 'limit',
      price,
      quantity: 8,
      clusterId: seller.cluster,
    });
    const intBuy = await place(buyer.key, {
      symbol: INT,
      side: 'buy',
      type: 'limit',
      price,
      quantity: 8,
      durationHours: 3,
    });
    const interrupted = await leaseOf(intBuy);
    await advance(3700);
    await api.http.post(`/v1/leases/${interrupted}/interrupt`).set('Authorization', seller.key).expect(200);
    await advance(4 * 3600);
    await api.http.delete('/v1/orders').set('Authorization', seller.key).expect(200);
  }

  /** Every outbox event reached Kafka once, with its id in the header, in outbox order for each key. */
  async function expectExactlyOnceInOrder(): Promise<Received[]> {
    await published(api);
    const rows = await outbox(api);
    const received = await readTopics(prefix, rows.length);
    expect(received.map((r) => r.header)).toEqual(received.map((r) => r.id));
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length);
    expect(received.map((r) => r.id).sort()).toEqual(rows.map((r) => r.event.id).sort());
    const seqOf = new Map(rows.map((r) => [r.event.id, r.seq]));
    const byKey = new Map<string, Received[]>();
    for (const r of received)
      byKey.set(`${r.topic}/${r.key}`, [...(byKey.get(`${r.topic}/${r.key}`) ?? []), r]);
    for (const events of byKey.values()) {
      const inKafka = [...events].sort((a, b) => a.offset - b.offset);
      expect(new Set(inKafka.map((e) => e.partition)).size).toBe(1);
      const seqs = inKafka.map((e) => seqOf.get(e.id) as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    return received;
  }

  beforeAll(async () => {
    prefix = `t${Date.now()}.`;
    database = await freshDatabase();
    await start();
    buyer = await api.account('lab', ['trade', 'read'], '100000');
    ({ agent, seller } = await agentSeller(api, exchange.url, 'cloud', {
      gpu: 'H100-SXM',
      region: 'us-west',
      gpuCount: 1000,
    }));
  });

  afterAll(async () => {
    await agent?.stop();
    await exchange?.stop();
    await database?.drop();
  });

  it('after a trading session: every event once, per-key order, lease events in lifecycle order, and a consumer projection equal to the ledger', async () => {
    await tradingSession('3.00');
    const received = await expectExactlyOnceInOrder();
    const types = new Set(received.map((r) => r.type));
    for (const type of [
      'trade.executed',
      'lease.provisioning',
      'lease.active',
      'lease.ended',
      'lease.released',
      'funds.deposited',
      'funds.held',
      'funds.released',
      'funds.escrowed',
      'settlement.paid',
      'settlement.refunded',
      'lease.interrupt_noticed',
      'lease.interrupted',
    ]) {
      expect(types).toContain(type);
    }
    const leases = received.filter((r) => r.topic === 'exchange.leases').sort((a, b) => a.offset - b.offset);
    for (const id of new Set(leases.map((l) => l.key))) {
      const lifecycle = leases.filter((l) => l.key === id).map((l) => l.type);
      const ends = lifecycle.filter((t) => !LEASE_ORDER.includes(t));
      expect(ends).toHaveLength(1);
      expect(lifecycle[lifecycle.length - 1]).toBe(ends[0]);
      // The reference agent reports its acceptance checks: every lease is verified before it is active.
      expect(lifecycle.slice(0, 3)).toEqual(['lease.provisioning', 'lease.verifying', 'lease.active']);
    }
    const trades = received.filter((r) => r.type === 'trade.executed');
    expect(trades).toHaveLength(4);
    for (const t of trades) expect(t.key).toBe(t.data.symbol);

    // The reference consumer, fed twice the same events (a second consumer group), still equals the ledger.
    const pool = new Pool({ connectionString: database.env.DATABASE_URL, max: 2 });
    await pool.query('create schema if not exists consumer; set search_path to consumer');
    const projectionPool = new Pool({
      connectionString: database.env.DATABASE_URL,
      max: 2,
      options: '-c search_path=consumer',
    });
    const projection = new BalanceProjection(projectionPool);
    await projection.createSchema();
    const settlements = received.filter((r) => r.topic === 'exchange.settlements').length;
    let duplicates = 0;
    const consumers = [];
    for (const group of ['projection-a', 'projection-b']) {
      consumers.push(
        await startSettlementConsumer(
          { brokers: brokers(), topicPrefix: prefix, groupId: `${prefix}${group}` },
          projection,
          (_e, fresh) => {
            if (!fresh) duplicates++;
          },
        ),
      );
    }
    const started = Date.now();
    while (duplicates < received.length && Date.now() - started < 60_000)
      await new Promise((r) => setTimeout(r, 200));
    for (const c of consumers) await c.disconnect();
    expect(duplicates).toBe(received.length);
    expect(await projection.processedCount()).toBe(received.length);
    expect(settlements).toBeGreaterThan(0);
    expect(await projection.balances()).toEqual(await ledgerBalances(database.env.DATABASE_URL));
    await projectionPool.end();
    await pool.end();
  });

  it('with Kafka stopped, order entry goes on; once it is back, every event is published once', async () => {
    const before = (await outbox(api)).length;
    broker('stop');
    try {
      await tradingSession('3.01');
      const lag = (await api.http.get('/v1/admin/events/lag').set('Authorization', api.admin()).expect(200))
        .body;
      expect(lag.pending).toBeGreaterThan(0);
    } finally {
      broker('start');
    }
    const received = await expectExactlyOnceInOrder();
    expect(received.length).toBeGreaterThan(before);
  });

  it('killed (kill -9) between commit and publish: the pending events are published after the restart', async () => {
    await exchange.stop();
    // A broker address nobody listens on: events commit to the outbox but cannot be published.
    await start('127.0.0.1:1');
    await tradingSession('3.02');
    const lag = (await api.http.get('/v1/admin/events/lag').set('Authorization', api.admin()).expect(200))
      .body;
    expect(lag.pending).toBeGreaterThan(0);
    await exchange.stop('SIGKILL');
    await start();
    await expectExactlyOnceInOrder();
  });
});
