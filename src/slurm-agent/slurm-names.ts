/**
 * Every name that reaches `scontrol`, `srun` or `useradd` is built here from validated identifiers, and passed
 * as its own argument (never through a shell): a lease id or account id that is not a UUID is refused.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** POSIX-portable user names, as `useradd` takes them by default. */
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
/** Slurm node names as this agent accepts them from Slurm itself. */
const NODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class InvalidName extends Error {}

export function uuid(value: unknown, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new InvalidName(`${what} is not a UUID`);
  return value;
}

/** The reservation of a lease: `gpux-<lease id>`, so a restarted agent finds its reservations in Slurm. */
export const reservationOf = (leaseId: string): string => `gpux-${uuid(leaseId, 'lease id')}`;

/** The lease a reservation of this agent belongs to, or null for anyone else's reservation. */
export function leaseOfReservation(name: string): string | null {
  const id = name.startsWith('gpux-') ? name.slice(5) : '';
  return UUID.test(id) ? id : null;
}

/** The default Slurm user of a buyer: `gpux-` and the first 12 hex digits of its account id. */
export const defaultUserOf = (accountId: string): string =>
  `gpux-${uuid(accountId, 'buyer account id').replace(/-/g, '').slice(0, 12)}`;

export function userName(value: unknown): string {
  if (typeof value !== 'string' || !USER.test(value))
    throw new InvalidName(`"${value}" is not a valid user name`);
  return value;
}

export function nodeName(value: string): string {
  if (!NODE.test(value))
    throw new InvalidName(`Slurm reported a node name this agent does not take: ${value}`);
  return value;
}
