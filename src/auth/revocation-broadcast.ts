import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuthService } from './auth.service';

const CHANNEL = 'exchange_api_keys_revoked';
const RECONNECT_MS = 1000;

/**
 * A key revoked on one node is revoked on every node at once: the revoking node sends the key ids with
 * PostgreSQL's NOTIFY, and every node (the revoking one too) LISTENs on its own connection, forgets those keys
 * and closes the WebSocket sessions signed in with them. The embedded database is one node: nothing to tell.
 */
@Injectable()
export class RevocationBroadcast implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationBroadcast.name);
  private client: Client | null = null;
  private stopped = false;

  constructor(
    @Inject(getDataSourceToken()) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.url !== null) await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => {});
  }

  /** Tells the other nodes (this one has forgotten the keys already). */
  async announce(keyIds: readonly string[]): Promise<void> {
    if (this.config.database.url === null) return;
    await this.db.query(`select pg_notify($1, $2)`, [CHANNEL, keyIds.join(',')]);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.database.url as string, keepAlive: true });
    let broken = false;
    const again = (error: Error) => {
      if (broken) return;
      broken = true;
      this.logger.warn(`the revocation listener's connection broke: ${error.message}; listening again`);
      if (this.client === client) this.client = null;
      void client.end().catch(() => {});
      if (!this.stopped) setTimeout(() => void this.listen(), RECONNECT_MS).unref();
    };
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.auth.revoked(message.payload.split(','));
    });
    client.on('error', again);
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      this.client = client;
    } catch (error) {
      again(error as Error);
    }
  }
}
