import Decimal from 'decimal.js';
import { Digest } from '../../engine/state-hash';
import type { NewOrder } from '../commands';
import type { IdGenerator } from '../ids';
import { ZERO } from '../money';
import { TradingStateBuilder } from '../state/build-state';
import { TradingCore } from '../trading-core';
import type { ClusterTerms, MarketTerms, ProvisioningPolicy, Trader, WebhookType } from '../types';

export const MARKET: MarketTerms = {
  symbol: 'H100-SXM.us-east.firm',
  gpu: 'H100-SXM',
  region: 'us-east',
  leaseClass: 'firm',
  tickSize: '0.01',
  lotSize: 8,
  minDurationHours: 1,
  maxDurationHours: 720,
  feeBps: 100,
  noticeMinutes: 0,
  activationMinutes: 10,
  creditBps: 1000,
  requireChecks: false,
};

export const INTERRUPTIBLE: MarketTerms = {
  ...MARKET,
  symbol: 'H100-SXM.us-east.int',
  leaseClass: 'int',
  noticeMinutes: 15,
};

export const BUYER: Trader = { accountId: '11111111-1111-4111-8111-111111111111', engineAccountId: 1 };
export const SELLER: Trader = { accountId: '22222222-2222-4222-8222-222222222222', engineAccountId: 2 };
export const CLUSTER: ClusterTerms = {
  id: '33333333-3333-4333-8333-333333333333',
  accountId: SELLER.accountId,
  gpu: MARKET.gpu,
  region: MARKET.region,
  gpuCount: 64,
};

export const NOW = 1_800_000_000_000;

/** Deterministic uuid-shaped ids from a name (tests only: not collision-resistant like the writer's). */
export const testIds: IdGenerator = {
  leaseId: (tradeId) => uuidOf(`lease:${tradeId}`),
  webhookId: (leaseId, type: WebhookType) => `msg_${uuidOf(`${type}:${leaseId}`).replace(/-/g, '')}`,
};

function uuidOf(name: string): string {
  const halves = [name, `${name}#`].map((text) => {
    const d = new Digest();
    d.text(text);
    return d.hex();
  });
  const hex = halves.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A core with no orders: the given markets, and money already in the accounts' available balances. */
export function emptyCore(
  options: {
    markets?: MarketTerms[];
    available?: [accountId: string, usd: string][];
    clusters?: ClusterTerms[];
    provisioning?: ProvisioningPolicy;
  } = {},
): TradingCore {
  const markets = options.markets ?? [MARKET, INTERRUPTIBLE];
  const available = new Map(
    (options.available ?? []).map(([id, usd]): [string, Decimal] => [id, new Decimal(usd)]),
  );
  const deposited = [...available.values()].reduce((sum, amount) => sum.plus(amount), ZERO);
  const state = new TradingStateBuilder(markets, { nextOrderId: 1, nextPriority: 1 }).build({
    books: new Map(),
    liveLeases: [],
    available,
    deposited,
    clusterSizes: new Map((options.clusters ?? [CLUSTER]).map((c) => [c.id, c.gpuCount])),
    sshKeys: new Map(),
    recentClientOrders: [],
  });
  return new TradingCore(
    state,
    testIds,
    options.provisioning ?? { mode: 'webhook', deadlineMs: 600_000, requireChecks: false },
  );
}

/** A limit order with the defaults a test does not care about. */
export function limit(
  side: 'buy' | 'sell',
  price: string,
  quantity: number,
  more: Partial<NewOrder> = {},
): NewOrder {
  return {
    clientOrderId: null,
    symbol: MARKET.symbol,
    side,
    type: 'limit',
    price: new Decimal(price).times(1_000_000).toNumber(),
    quantity,
    durationHours: side === 'buy' ? 2 : null,
    availableUntil: null,
    minQuantity: null,
    timeInForce: null,
    expireAt: null,
    postOnly: false,
    selfTradePrevention: null,
    ...more,
  };
}
