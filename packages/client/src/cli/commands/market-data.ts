import type { WireLevel } from '../../book/checksum-text';
import type { LocalBook } from '../../book/local-book';
import { unwrap } from '../../rest/rest-client';
import { argument, integer, oneOf, optional, parse } from '../args';
import { Context } from '../context';
import { table } from '../output';

const CLASSES = ['firm', 'int'] as const;

export async function markets(args: string[]): Promise<void> {
  const { flags } = parse(args, {
    gpu: { type: 'string' },
    region: { type: 'string' },
    class: { type: 'string' },
  });
  const ctx = new Context(flags);
  const gpu = optional(flags, 'gpu');
  const region = optional(flags, 'region');
  const leaseClass = flags.class === undefined ? undefined : oneOf(flags, 'class', CLASSES);
  const all = await unwrap(ctx.rest.GET('/v1/markets'));
  const chosen = all.filter(
    (m) =>
      (!gpu || m.gpu === gpu) &&
      (!region || m.region === region) &&
      (!leaseClass || m.leaseClass === leaseClass),
  );
  const tickers = await Promise.all(
    chosen.map((m) =>
      unwrap(ctx.rest.GET('/v1/markets/{symbol}/ticker', { params: { path: { symbol: m.symbol } } })),
    ),
  );
  const rows = chosen.map((m, i) => ({ ...m, ticker: tickers[i] }));
  ctx.out.result(rows, () =>
    table(
      rows.map((m) => ({
        symbol: m.symbol,
        lot: m.lotSize,
        hours: `${m.minDurationHours}-${m.maxDurationHours}`,
        bid: m.ticker.bestBid,
        ask: m.ticker.bestAsk,
        last: m.ticker.last,
        'volume 24h': m.ticker.volume24h,
      })),
      ['symbol', 'lot', 'hours', 'bid', 'ask', 'last', 'volume 24h'],
    ),
  );
}

/** A ladder: asks from the highest shown down to the best, the spread, then bids from the best down. */
export function ladder(symbol: string, sequence: number, bids: WireLevel[], asks: WireLevel[]): string {
  const rows = (levels: WireLevel[]) => {
    let total = 0;
    return levels.map(([price, quantity]) => ({ price, quantity, total: (total += quantity) }));
  };
  const line = (
    side: string,
    { price, quantity, total }: { price: string; quantity: number; total: number },
  ) => `${side}  ${price.padStart(10)}  ${String(quantity).padStart(8)}  ${String(total).padStart(9)}`;
  const spread =
    bids.length && asks.length
      ? `spread ${(Number(asks[0][0]) - Number(bids[0][0])).toFixed(4).replace(/\.?0+$/, '')}`
      : '';
  return [
    `${symbol}  sequence ${sequence}`,
    `side       price      GPUs      total`,
    ...rows(asks)
      .reverse()
      .map((row) => line('ask ', row)),
    `---- ${spread}`,
    ...rows(bids).map((row) => line('bid ', row)),
  ].join('\n');
}

export async function book(args: string[]): Promise<number | void> {
  const { flags, positionals } = parse(args, { depth: { type: 'string' }, watch: { type: 'boolean' } });
  const ctx = new Context(flags);
  const symbol = argument(positionals, 'SYMBOL');
  const depth = integer(flags, 'depth', 10);
  if (!flags.watch) {
    const book = await unwrap(
      ctx.rest.GET('/v1/markets/{symbol}/book', { params: { path: { symbol }, query: { depth } } }),
    );
    // Levels are [price, GPUs] pairs (OpenAPI 3.0 has no tuples, so the document types them as arrays).
    ctx.out.result(book, () =>
      ladder(symbol, book.sequence, book.bids as WireLevel[], book.asks as WireLevel[]),
    );
    return;
  }
  // Watching: the SDK's book, kept in step by sequence and checksum, redrawn at most 10 times a second.
  await unwrap(ctx.rest.GET('/v1/markets/{symbol}', { params: { path: { symbol } } }));
  const socket = ctx.socket();
  const tty = process.stdout.isTTY === true && !ctx.out.json;
  let drawn = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const draw = (current: LocalBook) => {
    timer = null;
    drawn = Date.now();
    const bids = current.levels('buy', depth);
    const asks = current.levels('sell', depth);
    ctx.out.stream(
      { symbol, sequence: current.sequence, checksum: current.checksum(), bids, asks },
      () => (tty ? '\x1b[2J\x1b[H' : '') + ladder(symbol, current.sequence, bids, asks) + (tty ? '' : '\n'),
    );
  };
  socket.on('book', (_, current) => {
    if (timer) return;
    timer = setTimeout(() => draw(current), Math.max(0, 100 - (Date.now() - drawn)));
  });
  socket.on('resync', (_, reason) => ctx.out.progress(`resyncing ${symbol} (${reason})`));
  socket.on('state', (state, { retryInMs }) => {
    if (state === 'reconnecting' && retryInMs)
      ctx.out.progress(`disconnected: reconnecting in ${retryInMs} ms`);
  });
  socket.subscribe('book', symbol);
  await socket.connect();
  await new Promise<void>(() => undefined); // until Ctrl-C
}

export async function trades(args: string[]): Promise<void> {
  const { flags, positionals } = parse(args, { limit: { type: 'string' } });
  const ctx = new Context(flags);
  const symbol = argument(positionals, 'SYMBOL');
  const limit = integer(flags, 'limit', 20);
  const list = await unwrap(
    ctx.rest.GET('/v1/markets/{symbol}/trades', { params: { path: { symbol }, query: { limit } } }),
  );
  ctx.out.result(list, () =>
    table(list, ['time', 'tradeId', 'price', 'quantity', 'durationHours', 'takerSide']),
  );
}
