import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { AuthGuard } from './auth.guard';
import { ADMIN_KEY, AuthService } from './auth.service';

/** API-key authentication for every route (a global guard) and for WebSocket `auth`; the admin key comes from the configuration. */
@Module({})
export class AuthModule {
  static forRoot(adminKey: string): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [AccountsModule],
      providers: [
        { provide: ADMIN_KEY, useValue: adminKey },
        AuthService,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AuthService],
    };
  }
}
