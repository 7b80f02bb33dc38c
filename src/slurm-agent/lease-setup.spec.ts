import { offerableGpus, pickNodes } from './lease-setup';
import type { SlurmNode, SlurmReservation } from './slurm-cli';
import {
  InvalidName,
  defaultUserOf,
  leaseOfReservation,
  nodeName,
  reservationOf,
  userName,
} from './slurm-names';

const node = (name: string, more: Partial<SlurmNode> = {}): SlurmNode => ({
  name,
  gpus: 8,
  gpusUsed: 0,
  state: 'IDLE',
  usable: true,
  ...more,
});
const LEASE = '6f1c2d3e-0000-4000-8000-00000000000a';
const reservation = (name: string, nodes: string[]): SlurmReservation => ({
  name,
  nodes,
  users: [],
  endTime: 0,
});

describe('the Slurm agent: nodes for a lease, what can be offered, and names', () => {
  it('reserves idle, unreserved, usable nodes, enough for the lease, or says why not', () => {
    const nodes = [
      node('gpu-1', { gpusUsed: 2, state: 'MIXED' }),
      node('gpu-2', { usable: false, state: 'IDLE+DRAIN' }),
      node('gpu-3'),
      node('gpu-4'),
      node('gpu-5'),
    ];
    const reservations = [reservation('maintenance', ['gpu-3'])];
    expect(pickNodes(16, nodes, reservations)).toEqual(['gpu-4', 'gpu-5']);
    expect(pickNodes(8, nodes, reservations)).toEqual(['gpu-4']);
    expect(pickNodes(24, nodes, reservations)).toEqual({
      refused: '24 GPUs asked, 16 on idle unreserved nodes (2 nodes)',
    });
  });

  it("offers usable GPUs not held by others' jobs or reservations, counting its own leases' nodes in full", () => {
    const nodes = [
      node('gpu-1', { gpusUsed: 3, state: 'MIXED' }), // the seller's own jobs: 5 left
      node('gpu-2', { gpusUsed: 8, state: 'ALLOCATED+RESERVED' }), // a buyer's jobs in a lease: all 8 count
      node('gpu-3', { state: 'IDLE+RESERVED' }), // someone else's reservation: none
      node('gpu-4', { usable: false, state: 'DOWN+NOT_RESPONDING' }),
    ];
    const reservations = [reservation(reservationOf(LEASE), ['gpu-2']), reservation('training', ['gpu-3'])];
    expect(offerableGpus(nodes, reservations, (r) => leaseOfReservation(r) !== null)).toBe(13);
  });

  it('builds names for scontrol from validated identifiers only', () => {
    expect(reservationOf(LEASE)).toBe(`gpux-${LEASE}`);
    expect(leaseOfReservation(`gpux-${LEASE}`)).toBe(LEASE);
    expect(leaseOfReservation('gpux-maintenance')).toBeNull();
    expect(defaultUserOf('d5e769a2-4385-4687-816a-c80a3bdecb95')).toBe('gpux-d5e769a24385');
    for (const hostile of [
      `${LEASE} Users=root`,
      `${LEASE};reboot`,
      'x\u0000y',
      '\ud800',
      '../../etc',
      42,
      null,
      `${LEASE}\n`,
    ]) {
      expect(() => reservationOf(hostile as string)).toThrow(InvalidName);
      expect(() => defaultUserOf(hostile as string)).toThrow(InvalidName);
    }
    for (const user of ['root;id', 'a b', '-rf', 'A'.repeat(40), 'Root'])
      expect(() => userName(user)).toThrow(InvalidName);
    expect(userName('gpux_lab-1')).toBe('gpux_lab-1');
    expect(() => nodeName('gpu-1 State=DOWN')).toThrow(InvalidName);
  });
});
