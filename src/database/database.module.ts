import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AccountEntity } from '../accounts/persistence/account.entity';
import { ApiKeyEntity } from '../accounts/persistence/api-key.entity';
import { MarketEntity } from '../markets/persistence/market.entity';

export const ENTITIES = [AccountEntity, ApiKeyEntity, MarketEntity];

/** Any fixed number: nodes starting together take this advisory lock to run the migrations one at a time. */
const MIGRATION_LOCK = 7_240_001;

/**
 * PostgreSQL through TypeORM: migrations run at start (`synchronize` never), under an advisory lock, so that
 * several nodes started at once on a fresh database run them one after the other (the later ones find them done).
 */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, maxConnections: number): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres',
            url,
            entities: ENTITIES,
            migrations: MIGRATIONS,
            migrationsRun: false,
            synchronize: false,
            extra: { max: maxConnections, connectionTimeoutMillis: 5000 },
          }),
          dataSourceFactory: async (options?: DataSourceOptions) => {
            const dataSource = await new DataSource(options as DataSourceOptions).initialize();
            const runner = dataSource.createQueryRunner();
            try {
              await runner.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
              // On the lock's own connection: the embedded database serves only one.
              const migrations = new MigrationExecutor(dataSource, runner);
              migrations.transaction = 'each';
              await migrations.executePendingMigrations();
            } finally {
              await runner.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
              await runner.release();
            }
            return dataSource;
          },
        }),
      ],
    };
  }
}
