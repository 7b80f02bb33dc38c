import type { SchemasObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { listOf, ref } from '../../common/api-responses';
import { BOOLEAN, described, ID, MONEY, nullable, object, oneOf, TEXT, TIME } from './wire-types';

const SCOPES = listOf(oneOf('trade', 'sell', 'read', 'admin'));
const API_KEY = {
  id: ID,
  label: TEXT,
  prefix: described(TEXT, 'the first characters of the key, to tell keys apart'),
  scopes: SCOPES,
  expiresAt: nullable(TIME),
  allowedIps: {
    ...listOf(TEXT),
    nullable: true,
    description: 'addresses and CIDR ranges the key works from',
  },
  createdAt: TIME,
  createdBy: nullable(described(ID, 'the key that created it (null: the admin)')),
  lastUsedAt: nullable(TIME),
  revokedAt: nullable(TIME),
};

/** Accounts, their balances and ledger, API keys, and the ledger audit (src/accounts, src/ledger). */
export const ACCOUNT_SCHEMAS: SchemasObject = {
  Balance: object({
    available: MONEY,
    held: described(MONEY, 'held for open buy orders'),
    escrow: described(MONEY, 'paid into leases not settled yet'),
  }),
  Account: object({
    id: ID,
    name: TEXT,
    scopes: SCOPES,
    balance: ref('Balance'),
    sshPublicKey: nullable(TEXT),
  }),
  CreatedAccount: object({
    id: ID,
    name: TEXT,
    scopes: SCOPES,
    apiKey: described(TEXT, 'shown once'),
  }),
  LedgerLine: object({
    id: ID,
    transactionId: ID,
    kind: oneOf('deposit', 'hold', 'release', 'fill', 'settlement', 'refund', 'credit'),
    reference: nullable(described(ID, 'the order or lease it belongs to')),
    book: oneOf('available', 'held', 'escrow', 'deposits', 'revenue'),
    amount: MONEY,
    time: TIME,
  }),
  ApiKey: object(API_KEY),
  CreatedApiKey: object({ ...API_KEY, apiKey: described(TEXT, 'shown once') }),
  SshKey: object({ sshPublicKey: nullable(TEXT) }),
  LedgerAudit: object({ balanced: BOOLEAN, problems: listOf(TEXT) }),
};
