import { AddressInfo, Server, Socket, createConnection, createServer } from 'node:net';

/** What the proxy does to the next statement that contains a marker (see `PgProxy.onNext`). */
export type StatementFault =
  /** The statement never reaches the database: the connection is cut just before it. */
  | { kind: 'cut-before' }
  /** The database runs (and commits) it; its answer is dropped and the connection cut. */
  | { kind: 'drop-answer' }
  /** Like drop-answer, and then the whole proxy refuses connections for `ms` (the database is unreachable). */
  | { kind: 'drop-answer-then-down'; ms: number }
  /** The database runs it; its answer reaches the client `ms` late (a slow commit). */
  | { kind: 'delay-answer'; ms: number };

/**
 * A loopback TCP proxy in front of PostgreSQL that a test can cut and restore, and that reads the wire protocol
 * (message framing only) to act on one statement: cut before it, drop its answer after the database ran it, or
 * delay the answer. Statements are recognised by a marker in their text (the writer's batch statement updates
 * `trading_writer`, and only it does).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly faults: { marker: string; fault: StatementFault }[] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => (this.server as Server).listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Accepts connections again, on the same port. */
  restore(): Promise<void> {
    return this.start(this.port);
  }

  /** Queues a fault for the next statement (after those queued before) whose text contains `marker`. */
  onNext(marker: string, fault: StatementFault): void {
    this.faults.push({ marker, fault });
  }

  /** Faults queued and not yet applied. */
  get pendingFaults(): number {
    return this.faults.length;
  }

  private relay(client: Socket): void {
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', kill);
    }
    // What happens to the server's bytes: passed on, swallowed until its ReadyForQuery, or held until then.
    let answer:
      | { kind: 'pass' }
      | { kind: 'drop'; then: StatementFault }
      | { kind: 'hold'; ms: number; held: Buffer[] } = { kind: 'pass' };
    const fromClient = new Frames(true);
    client.on('data', (chunk) => {
      for (const message of fromClient.push(chunk)) {
        const fault = this.matchFault(message);
        if (!fault) continue;
        if (fault.kind === 'cut-before') {
          // The statement's bytes never reach the database (the writer sends one statement per write).
          kill();
          return;
        }
        answer =
          fault.kind === 'delay-answer'
            ? { kind: 'hold', ms: fault.ms, held: [] }
            : { kind: 'drop', then: fault };
      }
      upstream.write(chunk);
    });
    const fromServer = new Frames(false);
    upstream.on('data', (chunk) => {
      const ready = fromServer.push(chunk).some((m) => m.type === 0x5a);
      const current = answer;
      if (current.kind === 'pass') {
        client.write(chunk);
      } else if (current.kind === 'drop') {
        if (!ready) return;
        kill();
        if (current.then.kind === 'drop-answer-then-down') {
          const ms = current.then.ms;
          void this.cut().then(() => setTimeout(() => void this.restore(), ms));
        }
      } else {
        current.held.push(chunk);
        if (!ready) return;
        answer = { kind: 'pass' };
        setTimeout(() => client.write(Buffer.concat(current.held)), current.ms);
      }
    });
  }

  private matchFault(message: Message): StatementFault | null {
    const next = this.faults[0];
    if (!next || (message.type !== 0x50 && message.type !== 0x51)) return null;
    if (!message.body.toString('utf8').includes(next.marker)) return null;
    this.faults.shift();
    return next.fault;
  }
}

interface Message {
  type: number;
  body: Buffer;
}

/** PostgreSQL protocol framing: a type byte and a 4-byte length; the client's first message has no type byte. */
class Frames {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private startup: boolean) {}

  push(chunk: Buffer): Message[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const messages: Message[] = [];
    for (;;) {
      const header = this.startup ? 4 : 5;
      if (this.pending.length < header) break;
      const total = this.startup ? this.pending.readUInt32BE(0) : 1 + this.pending.readUInt32BE(1);
      if (this.pending.length < total) break;
      messages.push({ type: this.startup ? 0 : this.pending[0], body: this.pending.subarray(header, total) });
      this.pending = this.pending.subarray(total);
      this.startup = false;
    }
    return messages;
  }
}
