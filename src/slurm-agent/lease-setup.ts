import type { SlurmCli, SlurmNode, SlurmReservation } from './slurm-cli';
import { leaseOfReservation } from './slurm-names';

/** A lease's reservation is kept this long past the lease's hours (provisioning, checks, the clock's drift). */
const RESERVATION_SLACK_MS = 30 * 60_000;

/**
 * GPUs Slurm says the seller can offer: on usable nodes that no one else has reserved, less what jobs outside
 * this agent's reservations hold. Nodes reserved for this agent's leases count in full: the exchange has those
 * GPUs committed to the leases already.
 */
export function offerableGpus(
  nodes: SlurmNode[],
  reservations: SlurmReservation[],
  ours: (r: string) => boolean,
) {
  const reservedBy = new Map<string, string>();
  for (const r of reservations) for (const node of r.nodes) reservedBy.set(node, r.name);
  let offerable = 0;
  for (const node of nodes) {
    if (!node.usable) continue;
    const reservation = reservedBy.get(node.name);
    if (reservation === undefined) offerable += Math.max(0, node.gpus - node.gpusUsed);
    else if (ours(reservation)) offerable += node.gpus;
  }
  return offerable;
}

/** The inventory as the exchange takes it (`POST /v1/provisioning/inventory`). */
export function inventoryOf(nodes: SlurmNode[], reservations: SlurmReservation[]) {
  return {
    gpus: nodes.reduce((sum, n) => sum + n.gpus, 0),
    offerable: offerableGpus(nodes, reservations, (r) => leaseOfReservation(r) !== null),
    nodes: nodes.map(({ name, gpus, gpusUsed, state, usable }) => ({ name, gpus, gpusUsed, state, usable })),
  };
}

/** What the buyer is handed: where to log in, as whom, and how to run in the reservation. */
export function accessDetails(
  loginHost: string,
  user: string,
  reservation: string,
  nodes: string[],
  quantity: number,
) {
  const perNode = Math.ceil(quantity / nodes.length);
  return {
    ssh: { host: loginHost, port: 22, user },
    slurm: {
      reservation,
      user,
      nodes,
      gpusPerNode: perNode,
      example: `srun --reservation=${reservation} --nodes=${nodes.length} --gres=gpu:${perNode} nvidia-smi`,
    },
  };
}

/**
 * Whole nodes for a lease of `quantity` GPUs: usable, unreserved and idle ones, fewest first (the smallest that
 * hold the lease), or why there are not enough. Without slurmdbd, Slurm reserves nodes, not GPU counts.
 */
export function pickNodes(
  quantity: number,
  nodes: SlurmNode[],
  reservations: SlurmReservation[],
): string[] | { refused: string } {
  const reserved = new Set(reservations.flatMap((r) => r.nodes));
  const free = nodes
    .filter((n) => n.usable && n.gpus > 0 && n.gpusUsed === 0 && !reserved.has(n.name))
    .sort((a, b) => b.gpus - a.gpus || (a.name < b.name ? -1 : 1));
  const picked: string[] = [];
  let gpus = 0;
  for (const node of free) {
    if (gpus >= quantity) break;
    picked.push(node.name);
    gpus += node.gpus;
  }
  if (gpus < quantity)
    return { refused: `${quantity} GPUs asked, ${gpus} on idle unreserved nodes (${free.length} nodes)` };
  return picked;
}

export function reservationEnd(durationHours: number, now = Date.now()): number {
  return now + durationHours * 3_600_000 + RESERVATION_SLACK_MS;
}

/**
 * The acceptance check at handover: every reserved node up, as many GPUs as the lease bought, and (with
 * `probe`) a job run as the buyer's user inside the reservation, one task per node, that must see every GPU of
 * its node. On real GPUs the same job would run `nvidia-smi`, a DCGM diagnostic and, across nodes, NCCL tests.
 */
export async function acceptanceChecks(
  slurm: SlurmCli,
  lease: { quantity: number; user: string; reservation: string; nodes: string[] },
  probe: boolean,
): Promise<Record<string, unknown> & { passed: boolean; gpus: number }> {
  const started = Date.now();
  const all = new Map((await slurm.nodes()).map((n) => [n.name, n]));
  const nodes = lease.nodes.map((name) => all.get(name));
  const up = nodes.filter((n): n is SlurmNode => n?.usable === true);
  const reservedGpus = nodes.reduce((sum, n) => sum + (n?.gpus ?? 0), 0);
  const items: Record<string, unknown>[] = [
    {
      name: 'nodes-up',
      passed: up.length === lease.nodes.length,
      expected: lease.nodes.length,
      found: up.length,
      states: Object.fromEntries(lease.nodes.map((name, i) => [name, nodes[i]?.state ?? 'missing'])),
    },
    {
      name: 'gpu-count',
      passed: reservedGpus >= lease.quantity,
      expected: lease.quantity,
      found: reservedGpus,
    },
  ];
  let gpus = up.reduce((sum, n) => sum + n.gpus, 0);
  if (probe && up.length === lease.nodes.length) {
    const perNode = Math.min(...up.map((n) => n.gpus));
    try {
      const seen = await slurm.probe(
        lease.user,
        { reservation: lease.reservation },
        lease.nodes.length,
        perNode,
      );
      const devices = seen.reduce((sum, s) => sum + s.devices.length, 0);
      gpus = Math.min(gpus, devices);
      items.push({
        name: 'job-sees-gpus',
        passed: seen.length === lease.nodes.length && devices >= lease.quantity,
        expected: lease.quantity,
        found: devices,
        perNode: Object.fromEntries(seen.map((s) => [s.node, s.devices.length])),
      });
    } catch (error) {
      gpus = 0;
      items.push({ name: 'job-sees-gpus', passed: false, error: (error as Error).message.slice(0, 300) });
    }
  }
  return {
    passed: items.every((i) => i.passed === true),
    gpus,
    nodes: lease.nodes.length,
    nodesUp: up.length,
    checkedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    items,
  };
}

/**
 * A check of the cluster's idle nodes on its own (no lease): a job on each idle, unreserved, usable node must see
 * all of that node's GPUs. Null when no node is idle (nothing to check now).
 */
export async function idleNodeChecks(
  slurm: SlurmCli,
): Promise<(Record<string, unknown> & { passed: boolean; gpus: number }) | null> {
  const [nodes, reservations] = await Promise.all([slurm.nodes(), slurm.reservations()]);
  const reserved = new Set(reservations.flatMap((r) => r.nodes));
  const idle = nodes.filter((n) => n.usable && n.gpus > 0 && n.gpusUsed === 0 && !reserved.has(n.name));
  if (idle.length === 0) return null;
  const started = Date.now();
  const perNode = Math.min(...idle.map((n) => n.gpus));
  let seen: { node: string; devices: string[] }[] = [];
  let error: string | null = null;
  try {
    seen = await slurm.probe('root', { nodes: idle.map((n) => n.name) }, idle.length, perNode);
  } catch (e) {
    error = (e as Error).message.slice(0, 300);
  }
  const devices = seen.reduce((sum, s) => sum + s.devices.length, 0);
  return {
    passed: error === null && seen.length === idle.length && seen.every((s) => s.devices.length >= perNode),
    gpus: devices,
    scope: 'idle nodes',
    nodes: idle.length,
    checkedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    perNode: Object.fromEntries(seen.map((s) => [s.node, s.devices.length])),
    ...(error ? { error } : {}),
  };
}
