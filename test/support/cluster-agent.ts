import { AgentBehavior, ClusterAgent } from '../../src/cluster-agent/cluster-agent';

/** The reference cluster agent on a free loopback port; its secret is set once its cluster is registered. */
export function startAgent(
  exchangeUrl: string,
  gpuCount: number,
  behavior: Partial<AgentBehavior> = {},
): Promise<ClusterAgent> {
  return ClusterAgent.start({
    port: 0,
    host: '127.0.0.1',
    secret: null,
    gpuCount,
    exchangeUrl,
    sshHost: 'login.test.internal',
    behavior: { mode: 'sync', delayMs: 0, failNext: 0, ...behavior },
  });
}

/** Polls `probe` until it returns something truthy (or throws after `timeoutMs`). */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
