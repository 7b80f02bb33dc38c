import type { AgentJournal, LeaseRecord } from './agent-journal';
import type { BuyerUsers } from './buyer-users';
import { accessDetails, pickNodes, reservationEnd } from './lease-setup';
import type { SlurmCli } from './slurm-cli';
import { reservationOf } from './slurm-names';

/**
 * The changes the agent makes in Slurm for its leases, one at a time (two leases never pick the same idle node):
 * a lease's reservation, made or found again, cut short by a notice, or deleted with its jobs.
 */
export class SlurmReservations {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly slurm: SlurmCli,
    private readonly journal: AgentJournal,
    private readonly users: BuyerUsers,
    private readonly loginHost: string,
  ) {}

  /** The lease's reservation: the one made before (a restart), or a new one on idle nodes; one at a time. */
  reserve(lease: LeaseRecord): Promise<LeaseRecord | { refused: string }> {
    return this.inSlurm(async () => {
      const now = this.journal.lease(lease.leaseId);
      if (now?.stage !== 'provisioning') return { refused: 'the lease was deprovisioned' };
      const slurm = this.slurm;
      const name = reservationOf(lease.leaseId);
      const user = await this.users.userFor(lease.buyerId, lease.sshPublicKey);
      const reservations = await slurm.reservations();
      let nodes = reservations.find((r) => r.name === name)?.nodes;
      if (!nodes) {
        const picked = pickNodes(lease.quantity, await slurm.nodes(), reservations);
        if ('refused' in picked) return picked;
        await slurm.createReservation(name, user, picked, reservationEnd(lease.durationHours));
        nodes = picked;
      }
      const record: LeaseRecord = {
        ...lease,
        user,
        reservation: name,
        nodes,
        access: accessDetails(this.loginHost, user, name, nodes, lease.quantity),
      };
      await this.journal.put(record);
      return record;
    });
  }

  /** Cancels the buyer's jobs and deletes the reservation (again: a no-op). */
  deprovision(leaseId: string): Promise<void> {
    return this.inSlurm(async () => {
      const lease = this.journal.lease(leaseId);
      if (lease) await this.journal.put({ ...lease, stage: 'deprovisioned' });
      const name = reservationOf(leaseId);
      if (!(await this.slurm.reservations()).some((r) => r.name === name)) return;
      await this.slurm.signalJobs(name, null);
      await this.slurm.deleteReservation(name);
    });
  }

  /** The notice reaches the buyer's jobs (SIGTERM), and the reservation ends when the notice does. */
  interrupt(leaseId: string, at: number): Promise<void> {
    return this.inSlurm(async () => {
      const name = reservationOf(leaseId);
      const reservation = (await this.slurm.reservations()).find((r) => r.name === name);
      if (!reservation) return;
      if (!(reservation.endTime <= at)) await this.slurm.setReservationEnd(name, at);
      await this.slurm.signalJobs(name, 'TERM');
    });
  }

  /** Slurm changes one at a time (two leases never pick the same idle node). */
  private inSlurm<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
