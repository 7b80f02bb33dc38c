import { AccountsMarketsLedger1763900000000 } from './1763900000000-accounts-markets-ledger';
import { ClustersOrdersTrades1763900001000 } from './1763900001000-clusters-orders-trades';
import { Leases1763900002000 } from './1763900002000-leases';
import { WriteChecks1763900003000 } from './1763900003000-write-checks';
import { Outbox1763900004000 } from './1763900004000-outbox';
import { OrderIndexes1763900005000 } from './1763900005000-order-indexes';
import { Provisioning1763900006000 } from './1763900006000-provisioning';
import { SshKeys1763900007000 } from './1763900007000-ssh-keys';
import { TradingWriter1763900008000 } from './1763900008000-trading-writer';
import { TradeTimeIndex1763900009000 } from './1763900009000-trade-time-index';
import { ApiKeys1763900010000 } from './1763900010000-api-keys';
import { ClusterHealth1763900011000 } from './1763900011000-cluster-health';
import { Leader1763900012000 } from './1763900012000-leader';
import { NodeSecret1763900013000 } from './1763900013000-node-secret';
import { LeaseChecksCredits1763900014000 } from './1763900014000-lease-checks-credits';

/** Every migration, oldest first (passed to TypeORM as classes, so no file globbing is involved). */
export const MIGRATIONS = [
  AccountsMarketsLedger1763900000000,
  ClustersOrdersTrades1763900001000,
  Leases1763900002000,
  WriteChecks1763900003000,
  Outbox1763900004000,
  OrderIndexes1763900005000,
  Provisioning1763900006000,
  SshKeys1763900007000,
  TradingWriter1763900008000,
  TradeTimeIndex1763900009000,
  ApiKeys1763900010000,
  ClusterHealth1763900011000,
  Leader1763900012000,
  NodeSecret1763900013000,
  LeaseChecksCredits1763900014000,
];
