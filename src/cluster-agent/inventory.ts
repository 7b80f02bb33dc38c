import { randomBytes } from 'node:crypto';

/** GPUs handed to one lease, and what its buyer was given to reach them. */
export interface Allocation {
  leaseId: string;
  gpus: number[];
  access: Record<string, unknown>;
}

/**
 * A simulated cluster's GPUs: which are free, which lease holds which. Allocating is idempotent per lease (a retried
 * request gets the same GPUs and credentials), and a lease taken back is never allocated again (a late provision
 * after its deprovision gets nothing).
 */
export class Inventory {
  /** GPUs given back, reused first; GPUs from `neverUsed` up have not been handed out yet. */
  private readonly returnedGpus: number[] = [];
  private neverUsed = 0;
  private readonly allocations = new Map<string, Allocation>();
  private readonly returned = new Set<string>();

  constructor(
    readonly gpuCount: number,
    private readonly sshHost: string,
  ) {}

  /** The lease's allocation, or why there is none. */
  allocate(leaseId: string, quantity: number, sshPublicKey: string | null): Allocation | { refused: string } {
    const existing = this.allocations.get(leaseId);
    if (existing) return existing;
    if (this.returned.has(leaseId)) return { refused: 'the lease was already deprovisioned' };
    if (quantity > this.freeCount) return { refused: `${quantity} GPUs asked, ${this.freeCount} free` };
    const gpus = this.returnedGpus.splice(Math.max(0, this.returnedGpus.length - quantity));
    while (gpus.length < quantity) gpus.push(this.neverUsed++);
    const name = `lease-${leaseId.slice(0, 8)}`;
    const token = randomBytes(24).toString('base64url');
    const allocation: Allocation = {
      leaseId,
      gpus,
      access: {
        // A real cluster installs the buyer's key in the user's authorized_keys; without one there is no way in
        // by SSH (the kubeconfig still works).
        ssh: sshPublicKey
          ? { host: this.sshHost, port: 22, user: name, authorizedKey: sshPublicKey }
          : {
              host: this.sshHost,
              port: 22,
              user: name,
              note: 'no SSH key on the account (PUT /v1/account/ssh-key)',
            },
        kubernetes: {
          namespace: name,
          kubeconfig: [
            'apiVersion: v1',
            'kind: Config',
            `clusters: [{name: gpu-cluster, cluster: {server: "https://${this.sshHost}:6443"}}]`,
            `users: [{name: ${name}, user: {token: "${token}"}}]`,
            `contexts: [{name: ${name}, context: {cluster: gpu-cluster, user: ${name}, namespace: ${name}}}]`,
            `current-context: ${name}`,
          ].join('\n'),
        },
        gpus,
      },
    };
    this.allocations.set(leaseId, allocation);
    return allocation;
  }

  /** Takes the lease's GPUs back; true if it held any. Taking back twice (or a lease never set up) is a no-op. */
  release(leaseId: string): boolean {
    this.returned.add(leaseId);
    const allocation = this.allocations.get(leaseId);
    if (!allocation) return false;
    this.allocations.delete(leaseId);
    this.returnedGpus.push(...allocation.gpus);
    return true;
  }

  get freeCount(): number {
    return this.gpuCount - this.neverUsed + this.returnedGpus.length;
  }

  held(): { leaseId: string; gpus: number[] }[] {
    return [...this.allocations.values()].map(({ leaseId, gpus }) => ({ leaseId, gpus }));
  }
}
