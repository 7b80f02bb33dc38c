import type { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

const RECONNECT_MS = 1000;

/**
 * One PostgreSQL NOTIFY channel between the nodes of one exchange: `announce` sends on it through the pool, and
 * `listen` hears it on a connection of its own, listening again when that connection breaks. The embedded
 * database is one node: there is nothing to tell, and nothing is sent.
 */
export class PgChannel {
  private client: Client | null = null;
  private stopped = false;

  constructor(
    private readonly channel: string,
    private readonly url: string | null,
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {}

  async announce(payload: string): Promise<void> {
    if (this.url === null) return;
    await this.db.query(`select pg_notify($1, $2)`, [this.channel, payload]);
  }

  async listen(onMessage: (payload: string) => void): Promise<void> {
    if (this.url === null || this.stopped) return;
    const client = new Client({ connectionString: this.url, keepAlive: true });
    let broken = false;
    const again = (error: Error) => {
      if (broken) return;
      broken = true;
      this.logger.warn(`the ${this.channel} listener's connection broke: ${error.message}; listening again`);
      if (this.client === client) this.client = null;
      void client.end().catch(() => {});
      if (!this.stopped) setTimeout(() => void this.listen(onMessage), RECONNECT_MS).unref();
    };
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) onMessage(message.payload);
    });
    client.on('error', again);
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      this.client = client;
    } catch (error) {
      again(error as Error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => {});
  }
}
