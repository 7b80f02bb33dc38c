import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AccountsModule } from './accounts/accounts.module';
import { hashApiKey } from './auth/api-keys';
import { AuthModule } from './auth/auth.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { LeadershipModule } from './leadership/leadership.module';
import { LoggingModule } from './logging/logging.module';
import { MarketsModule } from './markets/markets.module';
import { MetricsModule } from './metrics/metrics.module';
import { ClustersModule } from './clusters/clusters.module';
import { OrdersModule } from './orders/orders.module';
import { MarketDataModule } from './market-data/market-data.module';
import { ClockModule } from './clock/clock.module';
import { TestClockModule } from './clock/test-clock.module';
import { LeasesModule } from './leases/leases.module';
import { GatewayModule } from './gateway/gateway.module';
import { EventsModule } from './events/events.module';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { WriterModule } from './writer/writer.module';
import { ReplicationModule } from './replication/replication.module';
import { ReliabilityModule } from './reliability/reliability.module';

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
        LoggingModule.forRoot(options.config.logging),
        MetricsModule,
        ClockModule.forRoot(options.config.testClock),
        DatabaseModule.forRoot(options.databaseUrl, options.databaseConnections),
        LeadershipModule,
        ThrottlerModule.forRoot({
          errorMessage: 'too many requests; slow down',
          throttlers: [
            // Per client address, whoever it is.
            { name: 'ip', ttl: 1000, limit: options.config.http.rateLimitPerSecond },
            // Per API key (by its hash: keys are never kept), across addresses.
            {
              name: 'key',
              ttl: 1000,
              limit: options.config.http.keyRateLimitPerSecond,
              skipIf: (context) => bearerOf(context.switchToHttp().getRequest()) === null,
              getTracker: (request) => hashApiKey(bearerOf(request) ?? ''),
            },
          ],
        }),
        AuthModule.forRoot(options.adminKey),
        WriterModule,
        AccountsModule,
        MarketsModule,
        ClustersModule,
        OrdersModule,
        MarketDataModule,
        LeasesModule,
        ReliabilityModule,
        GatewayModule,
        EventsModule,
        ProvisioningModule,
        ReplicationModule,
        ...(options.config.testClock ? [TestClockModule] : []),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}

function bearerOf(request: { headers?: Record<string, unknown> }): string | null {
  const header = request.headers?.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? match[1] : null;
}
