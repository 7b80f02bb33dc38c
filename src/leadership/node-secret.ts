import { timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** The header a node sends the cluster's shared secret in, to the leader's internal routes. */
export const NODE_SECRET_HEADER = 'x-exchange-node-secret';

/** The secret the nodes of this exchange share, made once by a migration (see NodeSecret1763900013000). */
export async function readNodeSecret(db: DataSource): Promise<string> {
  const rows: { node_secret: string }[] = await db.query(
    `select node_secret from exchange_leader where id = 1`,
  );
  return rows[0].node_secret;
}

/** Whether a request carries the shared secret (compared in constant time). */
export function fromNode(header: unknown, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
