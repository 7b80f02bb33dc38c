import type { DataSource } from 'typeorm';
import type { LeaseHolder, LeaseStore } from './leader-election';

/** The leader lease in `exchange_leader`, always compared in the database's time. */
export class PgLeaseStore implements LeaseStore {
  constructor(private readonly db: DataSource) {}

  async campaign(
    nodeId: string,
    address: string | null,
    leaseMs: number,
    steal: boolean,
  ): Promise<number | null> {
    const rows: { epoch: string }[] = await this.db.query(
      `with taken as (
         update exchange_leader
            set epoch = case when node_id = $1 then epoch else epoch + 1 end,
                node_id = $1, address = $2, expires_at = now() + make_interval(secs => $3::double precision / 1000)
          where id = 1 and (node_id = $1 or expires_at < now() or $4::boolean)
          returning epoch)
       select epoch from taken`,
      [nodeId, address, leaseMs, steal],
    );
    return rows.length > 0 ? Number(rows[0].epoch) : null;
  }

  async release(nodeId: string): Promise<void> {
    await this.db.query(`update exchange_leader set expires_at = '-infinity' where id = 1 and node_id = $1`, [
      nodeId,
    ]);
  }

  async holder(): Promise<LeaseHolder> {
    const rows: { node_id: string | null; address: string | null; epoch: string; expired: boolean }[] =
      await this.db.query(
        `select node_id, address, epoch, expires_at < now() as expired from exchange_leader where id = 1`,
      );
    const row = rows[0];
    return { nodeId: row.node_id, address: row.address, epoch: Number(row.epoch), expired: row.expired };
  }
}
