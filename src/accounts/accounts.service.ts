import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { Scope, hashApiKey, newApiKey } from '../auth/api-keys';
import { Balance, LedgerLine, LedgerService } from '../ledger/ledger.service';
import { CommandBus } from '../writer/command-bus';
import { AccountsRepository } from './persistence/accounts.repository';

export interface AccountView {
  id: string;
  name: string;
  scopes: Scope[];
  balance: Balance;
  sshPublicKey: string | null;
}

@Injectable()
export class AccountsService {
  constructor(
    @Inject(AccountsRepository) private readonly accounts: AccountsRepository,
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Inject(CommandBus) private readonly commands: CommandBus,
  ) {}

  /** Creates an account with one key; the key is returned once and only its hash is kept. */
  async create(
    name: string,
    scopes: Scope[],
  ): Promise<{ id: string; name: string; scopes: Scope[]; apiKey: string }> {
    const apiKey = newApiKey();
    const account = await this.accounts.createWithKey(
      name,
      {
        keyHash: hashApiKey(apiKey),
        keyPrefix: apiKey.slice(0, 8),
        label: 'created with the account',
        scopes,
        expiresAt: null,
        allowedIps: null,
      },
      (em, id) => this.ledger.openBooks(em, id),
    );
    return { id: account.id, name: account.name, scopes, apiKey };
  }

  async view(accountId: string): Promise<AccountView> {
    const account = await this.existing(accountId);
    return {
      id: account.id,
      name: account.name,
      scopes: account.scopes as Scope[],
      balance: await this.ledger.balance(accountId),
      sshPublicKey: account.sshPublicKey,
    };
  }

  /** Credits a deposit (a decimal string of USD greater than zero) and answers the balance it leaves. */
  async deposit(accountId: string, amount: string): Promise<Balance> {
    await this.existing(accountId);
    await this.commands.submit({ kind: 'deposit', accountId, amount });
    return this.ledger.balance(accountId);
  }

  ledgerLines(accountId: string, limit: number, before: string | null): Promise<LedgerLine[]> {
    return this.ledger.lines(accountId, limit, before);
  }

  /** The account, or NOT_FOUND. */
  async existing(accountId: string) {
    const account = /^[0-9a-f-]{36}$/i.test(accountId) ? await this.accounts.findById(accountId) : null;
    if (!account) throw new DomainError('NOT_FOUND', 'no such account');
    return account;
  }
}
