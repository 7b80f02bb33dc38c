import fc from 'fast-check';
import { anyJson, anyNumber, anyText } from '../support/arbitraries';
import { signedHeaders } from '../../src/provisioning/webhook-signature';
import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'B200.us-west.firm';
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200) >= 1000 ? 300 : 60;

/**
 * The edge checks as properties: whatever a client sends (any text, any number, any nested object), it either
 * gets a 4xx, or it is stored exactly as sent and read back the same. Never a 5xx.
 */
describe('input at the edge, as properties', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string; cluster: string; webhookSecret: string };

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database);
    api = new Api(exchange);
    buyer = await api.account('lab', ['trade', 'read'], '1000000');
    seller = await api.seller('cloud', { gpu: 'B200', region: 'us-west', gpuCount: 100_000 });
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  const buy = (more: Record<string, unknown>) =>
    api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({
        symbol: SYMBOL,
        side: 'buy',
        type: 'limit',
        price: '1.00',
        quantity: 8,
        durationHours: 1,
        ...more,
      });
  const is4xx = (status: number) => status >= 400 && status < 500;

  it('any clientOrderId: refused with a 4xx, or stored and read back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (clientOrderId) => {
        const placed = await buy({ clientOrderId });
        if (is4xx(placed.status)) return;
        expect([200, 201]).toContain(placed.status);
        const read = await api.http
          .get(`/v1/orders/${placed.body.id}`)
          .set('Authorization', buyer.key)
          .expect(200);
        expect(read.body.clientOrderId).toBe(clientOrderId);
      }),
      { numRuns: RUNS },
    );
  });

  it('any quantity: refused with a 4xx, or stored exactly', async () => {
    await fc.assert(
      fc.asyncProperty(anyNumber, async (quantity) => {
        const placed = await buy({ quantity });
        if (is4xx(placed.status)) return;
        expect(placed.status).toBe(201);
        expect(placed.body.quantity).toBe(quantity);
      }),
      { numRuns: RUNS },
    );
  });

  it('any SSH key comment and any account name: refused with a 4xx, or stored exactly', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (comment, name) => {
        const sshPublicKey = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ${comment}`;
        const set = await api.http
          .put('/v1/account/ssh-key')
          .set('Authorization', buyer.key)
          .send({ sshPublicKey });
        if (!is4xx(set.status)) {
          expect(set.status).toBe(200);
          const account = await api.http.get('/v1/account').set('Authorization', buyer.key).expect(200);
          expect(account.body.sshPublicKey).toBe(sshPublicKey);
        }
        const created = await api.http
          .post('/v1/admin/accounts')
          .set('Authorization', api.admin())
          .send({ name, scopes: ['read'] });
        if (is4xx(created.status)) return;
        expect(created.status).toBe(201);
        const account = await api.http
          .get('/v1/account')
          .set('Authorization', `Bearer ${created.body.apiKey}`);
        expect(account.body.name).toBe(name);
      }),
      { numRuns: RUNS },
    );
  });

  it('any text in a query string or a path: a 4xx or an answer, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const encoded = encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\u0000'));
        for (const path of [
          `/v1/orders?symbol=${encoded}`,
          `/v1/orders/${encoded || 'x'}`,
          `/v1/markets/${encoded || 'x'}`,
        ]) {
          const res = await api.http.get(path).set('Authorization', buyer.key);
          expect(res.status).toBeLessThan(500);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('any access details in a signed callback: refused with a 4xx, or shown to the buyer exactly', async () => {
    // A buyer of its own: the other properties may have held all of the first one's money.
    const lessee = await api.account('lessee', ['trade', 'read'], '1000000');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(anyText, anyJson, { maxKeys: 4 }), async (access) => {
        await api.http
          .post('/v1/orders')
          .set('Authorization', seller.key)
          .send({
            symbol: SYMBOL,
            side: 'sell',
            type: 'limit',
            price: '1.01',
            quantity: 8,
            clusterId: seller.cluster,
          })
          .expect(201);
        // Above the bids the other properties left: this buy takes the sell just placed.
        const taken = await api.http
          .post('/v1/orders')
          .set('Authorization', lessee.key)
          .send({ symbol: SYMBOL, side: 'buy', type: 'limit', price: '1.01', quantity: 8, durationHours: 1 })
          .expect(201);
        const fills = await api.http.get('/v1/fills?limit=1').set('Authorization', lessee.key).expect(200);
        expect(fills.body[0].orderId).toBe(taken.body.id);
        const leaseId = fills.body[0].leaseId;
        const body = JSON.stringify({ leaseId, status: 'active', access });
        const answer = await api.http
          .post('/v1/provisioning/callback')
          .set(signedHeaders(seller.webhookSecret, `msg_${leaseId}`, body))
          .set('content-type', 'application/json')
          .send(body);
        if (is4xx(answer.status)) return;
        expect(answer.status).toBe(200);
        const lease = await api.http
          .get(`/v1/leases/${leaseId}`)
          .set('Authorization', lessee.key)
          .expect(200);
        expect(lease.body.access).toEqual(JSON.parse(JSON.stringify(access)));
      }),
      { numRuns: Math.min(RUNS, 40) },
    );
  });
});
