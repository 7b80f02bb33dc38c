import { AgentBehavior, ClusterAgent } from './cluster-agent';
import { agentEnv } from './agent-env';

const { fail, whole } = agentEnv('cluster agent');

/**
 * `npm run agent`: the reference cluster agent on its own. Either give it the cluster's secret (AGENT_SECRET), or
 * a seller's API key (AGENT_API_KEY, with AGENT_GPU and AGENT_REGION) and it registers its cluster itself; then
 * AGENT_CLUSTERS=N runs N clusters in one process, each on its own port.
 */
async function main(): Promise<void> {
  const env = process.env;
  const mode = (env.AGENT_MODE || 'sync') as AgentBehavior['mode'];
  if (!['sync', 'async', 'hang'].includes(mode))
    fail(`AGENT_MODE must be sync, async or hang, got "${mode}"`);
  const checks = (env.AGENT_CHECKS || 'pass') as AgentBehavior['checks'];
  if (!['pass', 'fail', 'none'].includes(checks))
    fail(`AGENT_CHECKS must be pass, fail or none, got "${checks}"`);
  const exchangeUrl = (env.AGENT_EXCHANGE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
  const gpuCount = whole(env.AGENT_GPUS, 'AGENT_GPUS', 64);
  const port = whole(env.AGENT_PORT, 'AGENT_PORT', 9090);
  const clusters = Math.max(1, whole(env.AGENT_CLUSTERS, 'AGENT_CLUSTERS', 1));
  const secret = env.AGENT_SECRET || null;
  if (!secret && !env.AGENT_API_KEY)
    fail("set AGENT_SECRET (the cluster's whsec_ secret) or AGENT_API_KEY to register a cluster");
  if (secret && clusters > 1) fail('AGENT_CLUSTERS > 1 registers its clusters: use AGENT_API_KEY');
  const agents: ClusterAgent[] = [];
  for (let i = 0; i < clusters; i++) {
    const agent = await ClusterAgent.start({
      port: port === 0 ? 0 : port + i,
      host: env.AGENT_HOST || '127.0.0.1',
      secret,
      gpuCount,
      exchangeUrl,
      sshHost: env.AGENT_SSH_HOST || 'gpu-login.example.internal',
      behavior: {
        mode,
        delayMs: whole(env.AGENT_DELAY_MS, 'AGENT_DELAY_MS', 0),
        failNext: whole(env.AGENT_FAIL_NEXT, 'AGENT_FAIL_NEXT', 0),
        checks,
      },
    });
    agents.push(agent);
    process.stdout.write(`cluster agent: webhooks on ${agent.webhookUrl}, ${gpuCount} GPUs, mode ${mode}\n`);
    if (!agent.secret) await register(agent, exchangeUrl, env.AGENT_API_KEY as string, gpuCount, i);
  }
  const stop = () => void Promise.all(agents.map((a) => a.stop())).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Registers the agent as a cluster of the seller whose key this is, and keeps the secret it is shown once. */
async function register(
  agent: ClusterAgent,
  exchangeUrl: string,
  apiKey: string,
  gpuCount: number,
  index: number,
): Promise<void> {
  const env = process.env;
  const response = await fetch(`${exchangeUrl}/v1/clusters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      name: `${env.AGENT_NAME || 'reference agent'}${index > 0 ? ` ${index + 1}` : ''}`,
      gpu: env.AGENT_GPU || 'H100-SXM',
      region: env.AGENT_REGION || 'us-east',
      gpuCount,
      webhookUrl: agent.webhookUrl,
    }),
  });
  const cluster = (await response.json()) as { id?: string; webhookSecret?: string };
  if (!response.ok || !cluster.webhookSecret)
    fail(`registering the cluster failed: ${JSON.stringify(cluster)}`);
  agent.secret = cluster.webhookSecret as string;
  process.stdout.write(`registered cluster ${cluster.id}: sell orders name it as clusterId\n`);
}

void main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
