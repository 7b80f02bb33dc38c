import Decimal from 'decimal.js';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../common/domain-error';
import type { TradingCommand } from '../trading/commands';
import { COMMANDS_PATH, CommandForwarder } from './command-forwarder';
import { NODE_SECRET_HEADER } from '../leadership/node-secret';

const deposit = (accountId: string): TradingCommand => ({ kind: 'deposit', accountId, amount: '10' });
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
  );

/** A stand-in leader on loopback: `handle` answers each forwarded request. */
async function leader(
  handle: (body: { commands: TradingCommand[] }, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string; requests: number }> {
  const state = { server: null as unknown as Server, url: '', requests: 0 };
  state.server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      state.requests++;
      handle(JSON.parse(text), req, res);
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

describe('CommandForwarder', () => {
  const servers: Server[] = [];
  const forwarders: CommandForwarder[] = [];
  const forwarderTo = (url: string | null) => {
    const forwarder = new CommandForwarder(() => (url ? { url, secret: 's3cret' } : null), 2000);
    forwarders.push(forwarder);
    return forwarder;
  };
  afterEach(async () => {
    for (const f of forwarders.splice(0)) f.close();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it("gathers one turn's commands into one request and answers each with its own outcome", async () => {
    let seen: { commands: TradingCommand[]; secret: unknown; path: string | undefined } | null = null;
    const target = await leader((body, req, res) => {
      seen = { commands: body.commands, secret: req.headers[NODE_SECRET_HEADER], path: req.url };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          outcomes: [
            { ok: true, value: { order: { id: 1, filledValue: '12.5' } } },
            { ok: false, code: 'INSUFFICIENT_FUNDS', message: 'not enough' },
          ],
        }),
      );
    });
    servers.push(target.server);
    const forwarder = forwarderTo(target.url);
    const [first, second] = [forwarder.forward(deposit('a')), forwarder.forward(deposit('b'))];
    const value = (await first) as unknown as { order: { filledValue: Decimal } };
    expect(value.order.filledValue).toBeInstanceOf(Decimal);
    expect(value.order.filledValue.toString()).toBe('12.5');
    expect(await codeOf(second)).toBe('INSUFFICIENT_FUNDS');
    expect(target.requests).toBe(1);
    expect(seen).toEqual({ commands: [deposit('a'), deposit('b')], secret: 's3cret', path: COMMANDS_PATH });
  });

  it('answers UNAVAILABLE when no leader is known, or it cannot be reached: nothing was sent', async () => {
    expect(await codeOf(forwarderTo(null).forward(deposit('a')))).toBe('UNAVAILABLE');
    const closed = await leader(() => {});
    await new Promise((resolve) => closed.server.close(resolve));
    expect(await codeOf(forwarderTo(closed.url).forward(deposit('a')))).toBe('UNAVAILABLE');
  });

  it('answers UNAVAILABLE when the node is no longer the leader (it refused the commands as a whole)', async () => {
    const target = await leader((_body, _req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'this node is not the leader' } }));
    });
    servers.push(target.server);
    expect(await codeOf(forwarderTo(target.url).forward(deposit('a')))).toBe('UNAVAILABLE');
  });

  it('answers OUTCOME_UNKNOWN when the connection breaks after the commands went out', async () => {
    const target = await leader((_body, req) => req.socket.destroy());
    servers.push(target.server);
    const forwarder = forwarderTo(target.url);
    const answers = await Promise.all(
      [forwarder.forward(deposit('a')), forwarder.forward(deposit('b'))].map(codeOf),
    );
    expect(answers).toEqual(['OUTCOME_UNKNOWN', 'OUTCOME_UNKNOWN']);
    expect(target.requests).toBe(1);
  });
});
