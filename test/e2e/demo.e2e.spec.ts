import { createRestClient, unwrap } from '@gpu-hour-exchange/client';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { recordedFetch } from '../support/recorded-request';

const DEMO = join(__dirname, '..', '..', 'dist', 'demo', 'demo.js');
const ADMIN_KEY = 'demo-e2e-admin-key-0123456789';

const until = async <T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('npm run demo', () => {
  it('trades and provisions leases in several markets within seconds, and stops cleanly on Ctrl-C', async () => {
    const demo = spawn(process.execPath, [DEMO, '--port', '0', '--duration', '150'], {
      env: { PATH: process.env.PATH ?? '', ADMIN_API_KEY: ADMIN_KEY, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    try {
      const url = await until('the demo prints where the exchange is', async () =>
        Promise.resolve(/the exchange is on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1] ?? null),
      );
      const started = Date.now();
      const rest = createRestClient({ baseUrl: url, apiKey: ADMIN_KEY, fetch: recordedFetch(url) });
      const markets = await unwrap(rest.GET('/v1/markets'));

      // Checked on the exchange itself, not on what the demo says: trades on the public tape...
      const traded = await until('trades in two markets', async () => {
        const counts = await Promise.all(
          markets.map(async ({ symbol }) => {
            const trades = await unwrap(
              rest.GET('/v1/markets/{symbol}/trades', { params: { path: { symbol } } }),
            );
            return trades.length > 0 ? symbol : null;
          }),
        );
        const symbols = counts.filter((symbol): symbol is string => symbol !== null);
        return symbols.length >= 2 ? symbols : null;
      });
      // ...and leases that the sellers' reference agents handed over (lease.active settlement events).
      const activated = await until('active leases in two markets', async () => {
        const events = await unwrap(
          rest.GET('/v1/admin/events', { params: { query: { type: 'lease.active', limit: 1000 } } }),
        );
        const symbols = new Set(events.map(({ event }) => (event.data.lease as { symbol: string }).symbol));
        return symbols.size >= 2 ? [...symbols] : null;
      });
      expect(traded.length).toBeGreaterThanOrEqual(2);
      expect(activated.length).toBeGreaterThanOrEqual(2);
      expect(Date.now() - started).toBeLessThan(60_000);
      const released = await unwrap(
        rest.GET('/v1/admin/events', { params: { query: { type: 'lease.released' } } }),
      );
      process.stdout.write(
        `demo: trades in ${traded.join(', ')}; leases active in ${activated.join(', ')}; ${released.length} released, ${Math.round((Date.now() - started) / 1000)} s after start\n`,
      );

      demo.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopping (Ctrl-C)');
      expect(output).toMatch(/stopped cleanly: \{"trades"/);
      // The exchange went with it.
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      demo.kill('SIGKILL');
    }
  }, 120_000);
});
