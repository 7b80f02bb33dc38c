import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AccountsModule } from './accounts/accounts.module';
import { AuthModule } from './auth/auth.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { MarketsModule } from './markets/markets.module';
import { ClustersModule } from './clusters/clusters.module';
import { OrdersModule } from './orders/orders.module';
import { MarketDataModule } from './market-data/market-data.module';
import { ClockModule } from './clock/clock.module';
import { TestClockModule } from './clock/test-clock.module';
import { LeasesModule } from './leases/leases.module';

export interface AppOptions {
  config: AppConfig;
  databaseUrl: string;
  databaseConnections: number;
  adminKey: string;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        ClockModule.forRoot(options.config.testClock),
        DatabaseModule.forRoot(options.databaseUrl, options.databaseConnections),
        // Per client address (the default tracker); generous, since traders script against it.
        ThrottlerModule.forRoot([
          { name: 'default', ttl: 1000, limit: options.config.http.rateLimitPerSecond },
        ]),
        AuthModule.forRoot(options.adminKey),
        AccountsModule,
        MarketsModule,
        ClustersModule,
        OrdersModule,
        MarketDataModule,
        LeasesModule,
        ...(options.config.testClock ? [TestClockModule] : []),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
