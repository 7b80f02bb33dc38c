import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import type { Api } from './api';

/**
 * A seller whose one cluster is the reference agent on loopback (with the cluster's GPUs, or `agentGpus` to play a
 * cluster that has fewer than it offers), given the cluster's secret once registered.
 */
export async function agentSeller(
  api: Api,
  exchangeUrl: string,
  name: string,
  cluster: { gpu: string; region: string; gpuCount: number },
  agentGpus = cluster.gpuCount,
): Promise<{
  agent: ClusterAgent;
  seller: { id: string; key: string; cluster: string; webhookSecret: string };
}> {
  const agent = await ClusterAgent.start({
    port: 0,
    host: '127.0.0.1',
    secret: null,
    gpuCount: agentGpus,
    exchangeUrl,
    sshHost: 'login.test.internal',
    behavior: { mode: 'sync', delayMs: 0, failNext: 0, checks: 'pass' },
  });
  const seller = await api.seller(name, { ...cluster, webhookUrl: agent.webhookUrl });
  agent.secret = seller.webhookSecret;
  return { agent, seller };
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
