import { recordedRequest } from './recorded-request';
import { Api } from './api';
import { ExchangeProcess, TestDatabase, freshDatabase } from './exchange-process';
import { LocalBook } from './local-book';
import { WsClient } from './ws-client';

const SYMBOL = 'H100-SXM.us-east.firm';
const BUY = { symbol: SYMBOL, side: 'buy', type: 'limit', quantity: 8, durationHours: 1 };
/** What a client may see while the leader is down: nothing else. */
const FAILOVER_ERRORS = new Set(['UNAVAILABLE', 'OUTCOME_UNKNOWN', 'connection lost']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ready = async (node: ExchangeProcess) =>
  (await recordedRequest(node.url).get('/ready').timeout(5000)).body as Record<string, unknown>;

type Acked = { id: string; clientOrderId: string };

/** A book subscriber on one node, rebuilding the book from its snapshot and updates. */
class Watcher {
  private constructor(
    readonly node: ExchangeProcess,
    readonly client: WsClient,
  ) {}

  static async on(node: ExchangeProcess): Promise<Watcher> {
    const client = await WsClient.connect(node.url);
    await client.request({ op: 'subscribe', channel: 'book', symbol: SYMBOL });
    return new Watcher(node, client);
  }

  /** Updates received (not snapshots): the stream reached this node, not only a resync. */
  updates(): number {
    return this.client.on('book').filter((m) => m.type === 'update').length;
  }

  book(): LocalBook {
    const book = new LocalBook();
    for (const m of this.client.on('book')) book.apply(m);
    return book;
  }
}

/**
 * Three nodes on one PostgreSQL (and, with KAFKA_BROKERS in `env`, one Kafka), with clients on every node: orders
 * through each node, over REST and WebSocket, and a book subscriber on every follower. The leader is killed with
 * SIGKILL `cycles` times; after each cycle every acknowledged order is there, every node shows the same book,
 * the ledger balances, sequences never went back, and each subscriber's book (snapshot plus updates, no gap,
 * every checksum matching) is the book the nodes show. A killed node's subscriber moves to another node and
 * resumes from a snapshot.
 */
export function failoverSuite(env: Record<string, string>, cycles: number): void {
  let database: TestDatabase;
  let nodes: ExchangeProcess[] = [];
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string };
  let watchers: Watcher[] = [];
  const acked: Acked[] = [];
  const errorsSeen = new Set<string>();
  let sequence = 0;

  const start = async () => {
    const node = await ExchangeProcess.start(
      database,
      { PROVISIONER: 'instant', ...env },
      { follower: true },
    );
    await node.serving(30_000);
    return node;
  };
  const leader = async () => {
    for (const node of nodes) if ((await ready(node).catch(() => null))?.role === 'leader') return node;
    return null;
  };
  const followers = async () => {
    const found: ExchangeProcess[] = [];
    for (const node of nodes)
      if ((await ready(node).catch(() => null))?.role === 'follower') found.push(node);
    return found;
  };

  /** An order through node `first`, retried with the same clientOrderId through the others until one acks it. */
  const place = async (first: number, order: Record<string, unknown>, key: string): Promise<Acked> => {
    const clientOrderId = `c${++sequence}`;
    const deadline = Date.now() + 30_000;
    for (let i = first; Date.now() < deadline; i++) {
      const node = nodes[i % nodes.length];
      const res = await recordedRequest(node.url)
        .post('/v1/orders')
        .set('Authorization', key)
        .send({ ...order, clientOrderId })
        .timeout(10_000)
        .catch(() => null); // a node that is down, or one killed mid-request
      if (res?.status === 201 || res?.status === 200) return { id: res.body.id, clientOrderId };
      errorsSeen.add(res ? (res.body?.error?.code ?? `HTTP ${res.status}`) : 'connection lost');
      if (i % nodes.length === nodes.length - 1) await sleep(25);
    }
    throw new Error(`no node acknowledged ${clientOrderId}`);
  };

  /** Every node's book, once they all show the same one (each follower applies the stream on its own time). */
  const agreedBook = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const books = await Promise.all(
        nodes.map(
          async (n) => (await recordedRequest(n.url).get(`/v1/markets/${SYMBOL}/book?depth=1000`)).body,
        ),
      );
      const same = books.every((b) => JSON.stringify(b) === JSON.stringify(books[0]));
      if (same || Date.now() > deadline) {
        expect(books).toEqual(books.map(() => books[0]));
        return books[0] as { sequence: number; bids: [string, number][]; asks: [string, number][] };
      }
      await sleep(100);
    }
  };

  beforeAll(async () => {
    database = await freshDatabase();
    // Three nodes started at once on a fresh database: they run the migrations one after the other.
    nodes = await Promise.all([start(), start(), start()]);
    const api = new Api((await leader()) as ExchangeProcess);
    buyer = await api.account('buyer', ['trade', 'read'], '100000000');
    seller = await api.seller('seller', { gpu: 'H100-SXM', region: 'us-east', gpuCount: 100000 });
    watchers = await Promise.all((await followers()).map((node) => Watcher.on(node)));
  }, 120_000);

  afterAll(async () => {
    for (const watcher of watchers) watcher.client.close();
    for (const node of nodes) {
      node.signal('SIGCONT');
      await node.stop('SIGKILL');
    }
    await database?.drop();
  });

  it('exactly one node leads; every follower says so in /ready, and serves REST and WebSocket', async () => {
    const states = await Promise.all(nodes.map(ready));
    expect(states.filter((s) => s.role === 'leader')).toHaveLength(1);
    const leading = states.find((s) => s.role === 'leader') as Record<string, unknown>;
    expect(leading).toMatchObject({ status: 'ready', epoch: expect.any(Number), lagMs: 0, database: 'up' });
    const leaderNode = nodes[states.indexOf(leading)];
    for (const [i, state] of states.entries()) {
      if (state.role === 'leader') continue;
      expect(state).toMatchObject({
        status: 'ready',
        role: 'follower',
        epoch: leading.epoch,
        lagMs: expect.any(Number),
        leader: leaderNode.url,
      });
      expect(state.lagMs as number).toBeLessThan(2000);
      await recordedRequest(nodes[i].url).get('/v1/account').set('Authorization', buyer.key).expect(200);
      const client = await WsClient.connect(nodes[i].url);
      expect(await client.request({ op: 'auth', apiKey: buyer.key.replace('Bearer ', '') })).toMatchObject({
        type: 'authenticated',
      });
      const placed = await client.request({
        op: 'place',
        order: { ...BUY, price: '1.00', clientOrderId: `ws-${i}` },
      });
      expect(placed).toMatchObject({ type: 'ack', order: { status: 'open' } });
      acked.push({ id: (placed.order as { id: string }).id, clientOrderId: `ws-${i}` });
      client.close();
    }
  });

  it(
    `survives the leader killed ${cycles} times in a row, with clients on every node`,
    async () => {
      const takeovers: number[] = [];
      let lastEpoch = (await ready((await leader()) as ExchangeProcess)).epoch as number;
      let lastSequence = 0;
      for (let cycle = 0; cycle < cycles; cycle++) {
        // Orders through every node: bids, asks, and a bid that trades.
        const updates = new Map(watchers.map((w) => [w, w.updates()]));
        for (let i = 0; i < nodes.length * 2; i++) {
          const price = (1 + ((cycle * 7 + i) % 90) / 100).toFixed(2);
          acked.push(await place(i, { ...BUY, price }, buyer.key));
        }
        const sell = { symbol: SYMBOL, side: 'sell', type: 'limit', price: '2.00', quantity: 16 };
        acked.push(await place(cycle, { ...sell, clusterId: seller.cluster }, seller.key));
        acked.push(await place(cycle + 1, { ...BUY, price: '2.00' }, buyer.key));

        // Every subscriber got them as updates from the stream (not only as a resync's snapshot).
        const placed = await agreedBook();
        for (const watcher of watchers) {
          await waitForSequence(watcher, placed.sequence);
          expect(watcher.updates()).toBeGreaterThan(updates.get(watcher) as number);
        }

        const victim = (await leader()) as ExchangeProcess;
        errorsSeen.clear();
        victim.signal('SIGKILL');
        const killedAt = Date.now();
        await victim.exited();
        nodes = nodes.filter((n) => n !== victim);
        acked.push(await place(cycle, { ...BUY, price: '1.00' }, buyer.key));
        takeovers.push(Date.now() - killedAt);
        expect([...errorsSeen].filter((code) => !FAILOVER_ERRORS.has(code))).toEqual([]);

        const state = await ready((await leader()) as ExchangeProcess);
        expect(state.epoch as number).toBeGreaterThan(lastEpoch);
        lastEpoch = state.epoch as number;
        // Every acknowledged order is there, once, read through every node.
        for (const node of nodes) {
          const orders = await recordedRequest(node.url)
            .get('/v1/orders?limit=1000')
            .set('Authorization', buyer.key)
            .expect(200);
          const sells = await recordedRequest(node.url)
            .get('/v1/orders?limit=1000')
            .set('Authorization', seller.key)
            .expect(200);
          const all = [...orders.body, ...sells.body] as Acked[];
          const ids = new Set(all.map((o) => o.id));
          expect(acked.filter((a) => !ids.has(a.id))).toEqual([]);
          const tagged = all.filter((o) => o.clientOrderId !== null).map((o) => o.clientOrderId);
          expect(tagged.length).toBe(new Set(tagged).size);
        }
        const admin = `Bearer ${nodes[0].adminKey}`;
        const audit = await recordedRequest(nodes[0].url)
          .get('/v1/admin/ledger/audit')
          .set('Authorization', admin);
        expect(audit.body.balanced).toBe(true);
        // Every node shows one book; sequences never went back.
        const book = await agreedBook();
        expect(book.sequence).toBeGreaterThanOrEqual(lastSequence);
        lastSequence = book.sequence;
        // Every subscriber on a live node rebuilt that book, with no gap and every checksum matching.
        watchers = watchers.filter((w) => w.node !== victim);
        for (const watcher of watchers) {
          const local = await waitForSequence(watcher, book.sequence);
          expect({ gaps: local.gaps, checksumMismatches: local.checksumMismatches }).toEqual({
            gaps: 0,
            checksumMismatches: 0,
          });
          expect([local.side('buy'), local.side('sell')]).toEqual([book.bids, book.asks]);
        }
        // The supervisor starts the dead node again, as a follower; its subscriber comes back on another node.
        nodes.push(await start());
        watchers.push(await Watcher.on(nodes[cycle % nodes.length]));
      }
      const sorted = [...takeovers].sort((a, b) => a - b);
      console.log(
        `failover (${env.KAFKA_BROKERS ? 'Kafka' : 'direct stream'}), kill to first acknowledged order, ` +
          `${cycles} cycles: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms ` +
          `(all: ${takeovers.join(', ')})`,
      );
    },
    60_000 * cycles,
  );
}

async function waitForSequence(watcher: Watcher, sequence: number): Promise<LocalBook> {
  const deadline = Date.now() + 5000;
  let book = watcher.book();
  while (book.sequence < sequence && Date.now() < deadline) {
    await sleep(50);
    book = watcher.book();
  }
  return book;
}
