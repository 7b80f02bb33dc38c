import { hostname } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuyerUsers } from './buyer-users';
import { SlurmCli } from './slurm-cli';
import { SlurmAgent } from './slurm-agent';
import { agentEnv } from '../cluster-agent/agent-env';

const { fail, whole } = agentEnv('slurm agent');

/**
 * `npm run agent:slurm`: the Slurm cluster agent, run by the seller beside slurmctld (as root: it makes buyers'
 * users and runs the checks' jobs as them). Either give it its cluster (AGENT_CLUSTER_ID and AGENT_SECRET), or a
 * seller's API key (AGENT_API_KEY, with AGENT_GPU and AGENT_REGION): it then registers the cluster with the GPUs
 * Slurm reports, once, and keeps the cluster's id and secret in AGENT_STATE_DIR.
 */
async function main(): Promise<void> {
  const env = process.env;
  const exchangeUrl = (env.AGENT_EXCHANGE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
  const stateDir = env.AGENT_STATE_DIR || './slurm-agent-state';
  const mode = env.SLURM_USER_MODE || 'create';
  if (mode !== 'create' && mode !== 'map') fail(`SLURM_USER_MODE must be create or map, got "${mode}"`);
  if (mode === 'map' && !env.SLURM_USER_MAP) fail('SLURM_USER_MODE=map needs SLURM_USER_MAP (a JSON file)');
  const users =
    mode === 'map' ? await BuyerUsers.fromFile(env.SLURM_USER_MAP as string) : BuyerUsers.create();
  const registered = await readRegistration(stateDir);
  const clusterId = env.AGENT_CLUSTER_ID || registered?.clusterId || null;
  const secret = env.AGENT_SECRET || registered?.secret || null;
  if ((!clusterId || !secret) && !env.AGENT_API_KEY)
    fail('set AGENT_CLUSTER_ID and AGENT_SECRET, or AGENT_API_KEY to register the cluster');
  const agent = await SlurmAgent.start({
    port: whole(env.AGENT_PORT, 'AGENT_PORT', 9091),
    host: env.AGENT_HOST || '127.0.0.1',
    secret,
    clusterId,
    exchangeUrl,
    loginHost: env.SLURM_LOGIN_HOST || hostname(),
    stateDir,
    users,
    slurm: new SlurmCli(),
    probe: (env.AGENT_PROBE ?? 'true') !== 'false',
    checkDelayMs: whole(env.AGENT_CHECK_DELAY_MS, 'AGENT_CHECK_DELAY_MS', 0),
    monitorMs: Math.max(100, whole(env.AGENT_MONITOR_MS, 'AGENT_MONITOR_MS', 2000)),
    inventoryMs: Math.max(100, whole(env.AGENT_INVENTORY_MS, 'AGENT_INVENTORY_MS', 10_000)),
    log: (line) => process.stdout.write(`slurm agent: ${line}\n`),
  });
  if (!agent.secret || !agent.clusterId)
    await register(agent, exchangeUrl, env.AGENT_API_KEY as string, stateDir);
  const inventory = await agent.inventory();
  process.stdout.write(
    `slurm agent: webhooks on ${agent.webhookUrl}, cluster ${agent.clusterId}, ${inventory.nodes.length} nodes, ` +
      `${inventory.gpus} GPUs (${inventory.offerable} offerable)\n`,
  );
  if (!(await agent.reportInventory()))
    process.stdout.write('slurm agent: the exchange did not take the inventory\n');
  const stop = () => void agent.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function readRegistration(dir: string): Promise<{ clusterId: string; secret: string } | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** Registers the cluster with the GPUs Slurm reports, and keeps its id and secret (shown once) in the state. */
async function register(agent: SlurmAgent, exchangeUrl: string, apiKey: string, dir: string): Promise<void> {
  const env = process.env;
  const { gpus } = await agent.inventory();
  const response = await fetch(`${exchangeUrl}/v1/clusters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      name: env.AGENT_NAME || `slurm ${hostname()}`,
      gpu: env.AGENT_GPU || 'H100-SXM',
      region: env.AGENT_REGION || 'us-east',
      gpuCount: gpus,
      webhookUrl: agent.webhookUrl,
    }),
  });
  const cluster = (await response.json()) as { id?: string; webhookSecret?: string };
  if (!response.ok || !cluster.id || !cluster.webhookSecret)
    fail(`registering the cluster failed: ${JSON.stringify(cluster)}`);
  agent.clusterId = cluster.id as string;
  agent.secret = cluster.webhookSecret as string;
  await writeFile(
    join(dir, 'cluster.json'),
    JSON.stringify({ clusterId: agent.clusterId, secret: agent.secret }),
    {
      mode: 0o600,
    },
  );
  process.stdout.write(`slurm agent: registered cluster ${agent.clusterId} with ${gpus} GPUs\n`);
}

void main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
