import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MIGRATIONS } from '../../migrations';
import { AccountEntity } from '../accounts/persistence/account.entity';
import { ApiKeyEntity } from '../accounts/persistence/api-key.entity';
import { MarketEntity } from '../markets/persistence/market.entity';

export const ENTITIES = [AccountEntity, ApiKeyEntity, MarketEntity];

/** PostgreSQL through TypeORM: migrations run at start, `synchronize` never. */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, maxConnections: number): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          migrationsRun: true,
          migrationsTransactionMode: 'each',
          synchronize: false,
          extra: { max: maxConnections, connectionTimeoutMillis: 5000 },
        }),
      ],
    };
  }
}
