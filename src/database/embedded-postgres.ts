import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync } from 'node:fs';

/**
 * PostgreSQL in the process (PGlite, persisted under `dataDir`), served on a loopback port through
 * pglite-socket, so the same `pg` driver, TypeORM entities and migrations run unchanged against it.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
  ) {}

  /**
   * PGlite runs one query at a time. pglite-socket can multiplex several connections, but under concurrent
   * transactions we saw a committed row missing from another connection's next read; one connection (and a
   * pool of one) serializes everything and is always right. Production runs on PostgreSQL.
   */
  static readonly maxConnections = 1;

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    mkdirSync(dataDir, { recursive: true });
    const db = new PGlite(dataDir);
    await db.waitReady;
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: EmbeddedPostgres.maxConnections,
    });
    await server.start();
    return new EmbeddedPostgres(db, server);
  }

  get url(): string {
    return `postgres://postgres@${this.server.getServerConn()}/postgres`;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
