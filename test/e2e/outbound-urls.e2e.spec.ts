import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Api } from '../support/api';
import { eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'H100-SXM.us-east.firm';
const CLUSTER = { name: 'rack', gpu: 'H100-SXM', region: 'us-east', gpuCount: 64 };

/** A TCP server that counts the connections it gets and answers none of them with HTTP. */
async function listener(
  host: string,
): Promise<{ port: number; connections: () => number; close: () => void }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.end('not http, not tls\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => server.close(),
  };
}

/** A port on which nothing listens. */
async function closedPort(host: string): Promise<number> {
  const { port, close } = await listener(host);
  close();
  return port;
}

/**
 * Sellers' webhook URLs in production: only https to public addresses, or to hosts the operator allows, both at
 * registration and when connecting; the delivery view shows error classes, not network messages.
 */
describe('outbound requests to sellers’ clusters', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let local: Awaited<ReturnType<typeof listener>>;
  let allowed: Awaited<ReturnType<typeof listener>>;
  /** Development and production runs on one database share the key that seals the clusters' secrets. */
  const development = { WEBHOOK_SECRET_KEYS: randomBytes(32).toString('base64') };
  const production = {
    ...development,
    NODE_ENV: 'production',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.2/32',
    PROVISIONING_RETRY_BASE_MS: '100',
    PROVISIONING_RETRY_MAX_MS: '200',
    PROVISIONING_TIMEOUT_MS: '1000',
  };

  beforeAll(async () => {
    database = await freshDatabase();
    local = await listener('127.0.0.1');
    allowed = await listener('127.0.0.2');
  });

  afterAll(async () => {
    local?.close();
    allowed?.close();
    await exchange?.stop();
    await database?.drop();
  });

  const register = (key: string, webhookUrl: string) =>
    api.http
      .post('/v1/clusters')
      .set('Authorization', key)
      .send({ ...CLUSTER, webhookUrl });

  /** A sell on the cluster and a crossing buy; the lease's provision delivery as the seller sees it, once tried. */
  async function tradeOn(seller: { key: string }, clusterId: string) {
    const buyer = await api.account(`buyer ${clusterId}`, ['trade', 'read'], '1000');
    const order = { symbol: SYMBOL, type: 'limit', price: '2.00', quantity: 8 };
    await api.http
      .post('/v1/orders')
      .set('Authorization', seller.key)
      .send({ ...order, side: 'sell', clusterId })
      .expect(201);
    await api.http
      .post('/v1/orders')
      .set('Authorization', buyer.key)
      .send({ ...order, side: 'buy', durationHours: 1 })
      .expect(201);
    return eventually(async () => {
      const { body } = await api.http
        .get(`/v1/clusters/${clusterId}/deliveries`)
        .set('Authorization', seller.key)
        .expect(200);
      return body.length > 0 && body[0].attempts >= 2 ? body[0] : null;
    });
  }

  it('outside production, a cluster on 127.0.0.1 over http can be registered (the reference agent and tests)', async () => {
    exchange = await ExchangeProcess.start(database, development);
    api = new Api(exchange);
    const seller = await api.account('early seller', ['sell', 'read']);
    await register(seller.key, `https://localhost:${local.port}/hook`).expect(201);
    await register(seller.key, `http://127.0.0.1:${local.port}/hook`).expect(201);
    await exchange.stop();
  });

  it('in production, registration refuses http, loopback, private, link-local, CGNAT and metadata targets and changes nothing', async () => {
    exchange = await ExchangeProcess.start(database, production);
    api = new Api(exchange);
    const seller = await api.account('seller', ['sell', 'read']);
    const refused = [
      [`http://8.8.8.8/hook`, 'must be an https URL'],
      [`https://127.0.0.1:${local.port}/hook`, 'loopback'],
      [`https://localhost:${local.port}/hook`, 'resolves to'],
      [`https://[::1]/hook`, 'loopback'],
      [`https://10.0.0.1/hook`, 'private'],
      [`https://192.168.1.10/hook`, 'private'],
      [`https://169.254.169.254/latest/meta-data/`, 'linkLocal'],
      [`https://[fd00:ec2::254]/`, 'uniqueLocal'],
      [`https://100.64.0.1/hook`, 'carrierGradeNat'],
      [`https://[::ffff:10.0.0.1]/hook`, 'private'],
    ];
    for (const [url, reason] of refused) {
      const { status, body } = await register(seller.key, url);
      expect({ url, status, code: body.error?.code }).toEqual({ url, status: 400, code: 'INVALID_REQUEST' });
      expect(body.error.message).toContain('webhookUrl');
      expect(body.error.message).toContain(reason);
    }
    // A decimal IPv4 host (127.0.0.1 as one number) is not taken as a URL at all.
    await register(seller.key, 'https://2130706433/hook').expect(400);
    const listed = await api.http.get('/v1/clusters').set('Authorization', seller.key).expect(200);
    expect(listed.body).toEqual([]);
  });

  it('a stored URL whose host resolves to 127.0.0.1 is refused at connect time: nothing reaches it', async () => {
    const early = await api.account('seller with an old cluster', ['sell', 'read']);
    // Registered before production rules applied (as a name that resolved elsewhere then would be).
    await exchange.stop();
    exchange = await ExchangeProcess.start(database, development);
    api = new Api(exchange);
    const cluster = (await register(early.key, `https://localhost:${local.port}/hook`).expect(201)).body.id;
    await exchange.stop();
    exchange = await ExchangeProcess.start(database, production);
    api = new Api(exchange);
    const before = local.connections();
    const delivery = await tradeOn(early, cluster);
    expect(delivery).toMatchObject({
      status: 'pending',
      responseStatus: null,
      lastError: 'address not allowed',
    });
    expect(local.connections()).toBe(before);
  });

  it('an allowed on-premises range passes, and delivery errors are classes without addresses or ports', async () => {
    const seller = await api.account('on-prem seller', ['sell', 'read']);
    const tls = (await register(seller.key, `https://127.0.0.2:${allowed.port}/hook`).expect(201)).body.id;
    const port = await closedPort('127.0.0.2');
    const refused = (await register(seller.key, `https://127.0.0.2:${port}/hook`).expect(201)).body.id;

    const handshake = await tradeOn(seller, tls);
    expect(handshake).toMatchObject({ status: 'pending', lastError: 'TLS error' });
    expect(allowed.connections()).toBeGreaterThan(0);

    const closed = await tradeOn(seller, refused);
    expect(closed).toMatchObject({ status: 'pending', lastError: 'connection refused' });
    const seen = JSON.stringify([handshake, closed]);
    expect(seen).not.toContain('127.0.0.2');
    expect(seen).not.toContain(String(port));
    expect(seen).not.toContain('ECONN');
  });
});
