import { ExchangeSocket } from './exchange-socket';

/** A WebSocket that the test drives: it records what the client sends and answers as the test says. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
  accept() {
    this.readyState = 1;
    this.onopen?.();
  }
  answer(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(reason = 'gone') {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason });
  }
}

const latest = () => FakeSocket.all[FakeSocket.all.length - 1];
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await tick(5);
  expect(check()).toBe(true);
};

const client = (options: Partial<ConstructorParameters<typeof ExchangeSocket>[0]> = {}) =>
  new ExchangeSocket({
    url: 'http://127.0.0.1:1',
    WebSocket: FakeSocket as unknown as typeof globalThis.WebSocket,
    minReconnectDelayMs: 20,
    maxReconnectDelayMs: 80,
    ...options,
  });

describe('ExchangeSocket', () => {
  beforeEach(() => (FakeSocket.all = []));

  it('connects to /v1/ws, signs in first, then subscribes', async () => {
    const socket = client({ apiKey: 'gpx_key', cancelOnDisconnect: true });
    socket.subscribe('book', 'A');
    socket.subscribe('orders');
    const connected = socket.connect();
    latest().accept();
    expect(latest().url).toBe('ws://127.0.0.1:1/v1/ws');
    const [auth, ...subscriptions] = latest().sent;
    expect(auth).toMatchObject({ op: 'auth', apiKey: 'gpx_key', cancelOnDisconnect: true });
    expect(subscriptions).toEqual([
      { op: 'subscribe', channel: 'book', symbol: 'A' },
      { op: 'subscribe', channel: 'orders' },
    ]);
    latest().answer({ type: 'authenticated', accountId: '7', requestId: auth.requestId });
    await connected;
    socket.close();
  });

  it('signs in again on the next connection when the link drops before the sign-in is answered', async () => {
    const socket = client({ apiKey: 'gpx_key' });
    const states: string[] = [];
    socket.on('state', (state) => states.push(state));
    const connected = socket.connect();
    const first = latest();
    first.accept();
    first.drop();
    await until(() => latest() !== first);
    expect(states).not.toContain('open');
    latest().accept();
    const auth = latest().sent[0];
    expect(auth).toMatchObject({ op: 'auth', apiKey: 'gpx_key' });
    latest().answer({ type: 'authenticated', accountId: '7', requestId: auth.requestId });
    await connected;
    expect(states[states.length - 1]).toBe('open');
    socket.close();
  });

  it('fails a command in flight with OUTCOME_UNKNOWN when the link drops, and a read with NETWORK', async () => {
    const socket = client();
    const connected = socket.connect();
    latest().accept();
    await connected;
    const place = socket.place({ symbol: 'A', side: 'buy', type: 'limit', price: '1', quantity: 8 });
    const ping = socket.ping();
    await until(() => latest().sent.length === 2);
    expect(latest().sent[0]).toMatchObject({ op: 'place', order: { clientOrderId: expect.any(String) } });
    latest().drop();
    await expect(place).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    await expect(ping).rejects.toMatchObject({ code: 'NETWORK' });
    socket.close();
  });

  it('queues commands while reconnecting, with a backoff that grows, and sends them once back', async () => {
    const socket = client();
    const delays: number[] = [];
    socket.on(
      'state',
      (state, { retryInMs }) => state === 'reconnecting' && retryInMs && delays.push(retryInMs),
    );
    const connected = socket.connect();
    latest().accept();
    await connected;
    for (let drop = 0; drop < 4; drop++) {
      const dropped = latest();
      dropped.drop();
      await until(() => latest() !== dropped);
    }
    // Each delay is between half and all of min(max, min * 2^attempt).
    [20, 40, 80, 80].forEach((ceiling, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delays[i]).toBeLessThanOrEqual(ceiling);
    });
    const cancel = socket.cancel({ orderId: '5' });
    await tick(10);
    expect(latest().sent).toEqual([]);
    latest().accept();
    await until(() => latest().sent.length === 1);
    const frame = latest().sent[0];
    expect(frame).toMatchObject({ op: 'cancel', orderId: '5' });
    latest().answer({ type: 'ack', requestId: frame.requestId, order: { id: '5', status: 'cancelled' } });
    await expect(cancel).resolves.toEqual({ id: '5', status: 'cancelled' });
    socket.close();
  });

  it('drops a silent connection and reconnects', async () => {
    const socket = client({ pingIntervalMs: 20, silenceTimeoutMs: 60 });
    const connected = socket.connect();
    const first = latest();
    first.accept();
    await connected;
    await until(() => first.sent.some((frame) => frame.op === 'ping'));
    await until(() => latest() !== first);
    expect(first.readyState).toBe(3);
    socket.close();
  });

  it('refuses with the exchange code and message', async () => {
    const socket = client();
    const connected = socket.connect();
    latest().accept();
    await connected;
    const amend = socket.amend('9', { price: '2.5' });
    await until(() => latest().sent.length === 1);
    latest().answer({
      type: 'error',
      requestId: latest().sent[0].requestId,
      code: 'ORDER_NOT_OPEN',
      message: 'order 9 is filled',
    });
    await expect(amend).rejects.toMatchObject({ code: 'ORDER_NOT_OPEN', detail: 'order 9 is filled' });
    socket.close();
  });
});
