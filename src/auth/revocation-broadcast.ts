import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PgChannel } from '../common/pg-channel';
import { AuthService } from './auth.service';

/**
 * A key revoked on one node is revoked on every node at once: the revoking node sends the key ids with
 * PostgreSQL's NOTIFY, and every node (the revoking one too) LISTENs on its own connection, forgets those keys
 * and closes the WebSocket sessions signed in with them.
 */
@Injectable()
export class RevocationBroadcast implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly channel: PgChannel;

  constructor(
    @Inject(getDataSourceToken()) db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {
    const logger = new Logger(RevocationBroadcast.name);
    this.channel = new PgChannel('exchange_api_keys_revoked', config.database.url, db, logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.channel.listen((payload) => this.auth.revoked(payload.split(',')));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel.stop();
  }

  /** Tells the other nodes (this one has forgotten the keys already). */
  announce(keyIds: readonly string[]): Promise<void> {
    return this.channel.announce(keyIds.join(','));
  }
}
