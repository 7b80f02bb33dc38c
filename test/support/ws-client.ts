import WebSocket from 'ws';

type Message = Record<string, unknown>;

/** A test client for `/v1/ws`: keeps every message, answers requests by requestId. */
export class WsClient {
  readonly messages: Message[] = [];
  private readonly waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private nextRequest = 1;
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      this.messages.push(message);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(message)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async connect(baseUrl: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WsClient(socket);
  }

  /** Sends a request and waits for the reply carrying its requestId. */
  request(message: Message): Promise<Message> {
    const requestId = `r${this.nextRequest++}`;
    const reply = this.next((m) => m.requestId === requestId);
    this.socket.send(JSON.stringify({ ...message, requestId }));
    return reply;
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  next(match: (m: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such message in time')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** The first message, already received or still to come, that matches. */
  seen(match: (m: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    const earlier = this.messages.find(match);
    return earlier ? Promise.resolve(earlier) : this.next(match, timeoutMs);
  }

  /** The feed messages of a channel (replies to requests, which also name channels, left out). */
  on(channel: string): Message[] {
    return this.messages.filter(
      (m) => m.channel === channel && m.requestId === undefined && m.type !== 'subscribed',
    );
  }

  close(): void {
    this.socket.close();
  }
}
