import { MatchingEngine } from './engine';
import { Command, EngineEvent } from './engine/types';

/**
 * Until the exchange service lands (NestJS, PostgreSQL, REST and WebSocket), `npm start` runs a short, scripted
 * session through the matching engine and prints what it emits: a seller lists two H100 nodes, buyers bid.
 * Prices are integer micro-USD per GPU-hour inside the engine; this demo prints them as USD.
 */
const MICRO_USD = 1_000_000;
const usd = (units: number): string => (units / MICRO_USD).toFixed(2);
const HOUR = 3_600_000;
const start = Date.parse('2026-11-23T12:00:00Z');

const engine = new MatchingEngine();
engine.addMarket({
  symbol: 'H100-SXM.us-east.firm',
  tickSize: 10_000,
  lotSize: 8,
  minDurationHours: 1,
  maxDurationHours: 720,
});

const SELLER = 1;
const BUYER_A = 2;
const BUYER_B = 3;
const symbol = 'H100-SXM.us-east.firm';
const session: Command[] = [
  {
    kind: 'place',
    now: start,
    symbol,
    orderId: 1,
    accountId: SELLER,
    side: 'sell',
    type: 'limit',
    price: 2_150_000,
    quantity: 16,
    availableUntil: start + 48 * HOUR,
  },
  {
    kind: 'place',
    now: start,
    symbol,
    orderId: 2,
    accountId: SELLER,
    side: 'sell',
    type: 'limit',
    price: 2_400_000,
    quantity: 8,
  },
  {
    kind: 'place',
    now: start + 1000,
    symbol,
    orderId: 3,
    accountId: BUYER_A,
    side: 'buy',
    type: 'limit',
    price: 2_200_000,
    quantity: 8,
    durationHours: 72,
  },
  {
    kind: 'place',
    now: start + 2000,
    symbol,
    orderId: 4,
    accountId: BUYER_B,
    side: 'buy',
    type: 'limit',
    price: 2_500_000,
    quantity: 16,
    durationHours: 24,
    minQuantity: 8,
  },
  {
    kind: 'place',
    now: start + 3000,
    symbol,
    orderId: 5,
    accountId: BUYER_B,
    side: 'buy',
    type: 'limit',
    price: 2_100_000,
    quantity: 8,
    durationHours: 4,
    postOnly: true,
  },
];

function describe(e: EngineEvent): string {
  switch (e.type) {
    case 'trade':
      return `trade #${e.tradeId}: ${e.quantity} GPUs x ${e.durationHours} h at $${usd(e.price)}/GPU-h (maker ${e.makerOrderId}, taker ${e.takerOrderId})`;
    case 'level':
      return `book ${e.side} $${usd(e.price)} -> ${e.quantity} GPUs (seq ${e.sequence})`;
    case 'done':
      return `order ${e.orderId} ${e.status} (${e.reason}), filled ${e.filled}`;
    case 'rejected':
      return `rejected ${e.code}: ${e.message}`;
    default:
      return `${e.type} order ${e.orderId}`;
  }
}

for (const command of session) {
  const result = engine.process(command);
  console.log(`> ${command.kind} ${'orderId' in command ? command.orderId : ''}: ${result.code}`);
  for (const event of result.events) console.log(`    ${describe(event)}`);
}
const book = engine.book(symbol)?.depth();
console.log('\nbook now:');
for (const [price, qty] of book?.asks.slice().reverse() ?? [])
  console.log(`  ask $${usd(price)}  ${qty} GPUs`);
for (const [price, qty] of book?.bids ?? []) console.log(`  bid $${usd(price)}  ${qty} GPUs`);
console.log('\nThe exchange service (REST, WebSocket, PostgreSQL, Kafka) is not built yet; see README.md.');
