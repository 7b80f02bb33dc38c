import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminLedgerController } from '../ledger/admin-ledger.controller';
import { LedgerService } from '../ledger/ledger.service';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { AdminAccountsController } from './admin-accounts.controller';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AccountEntity } from './persistence/account.entity';
import { AccountsRepository } from './persistence/accounts.repository';
import { ApiKeyEntity } from './persistence/api-key.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AccountEntity, ApiKeyEntity])],
  controllers: [AccountsController, ApiKeysController, AdminAccountsController, AdminLedgerController],
  providers: [AccountsRepository, AccountsService, ApiKeysService, LedgerService],
  exports: [AccountsRepository, AccountsService, LedgerService],
})
export class AccountsModule {}
