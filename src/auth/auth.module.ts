import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysRepository } from './api-keys.repository';
import { AuthGuard } from './auth.guard';
import { ADMIN_KEY, AuthService } from './auth.service';
import { RevocationBroadcast } from './revocation-broadcast';

/** API-key authentication for every route (a global guard) and for WebSocket `auth`; the admin key comes from the configuration. */
@Module({})
export class AuthModule {
  static forRoot(adminKey: string): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: ADMIN_KEY, useValue: adminKey },
        ApiKeysRepository,
        AuthService,
        RevocationBroadcast,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AuthService, RevocationBroadcast],
    };
  }
}
