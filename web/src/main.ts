import './style.css';
import { Api } from './api';
import { byId } from './dom';
import { Feed, FeedMessage } from './feed';
import { LocalBook, Side } from './local-book';
import type { WireLevel } from '../../src/market-data/checksum-text';
import { AccountPanel } from './views/account-panel';
import { Candle, CandlesChart } from './views/candles-chart';
import { DepthChart } from './views/depth-chart';
import { Ladder } from './views/ladder';
import { Market, MarketPicker, Ticker } from './views/market-picker';
import { Notices } from './views/notices';
import { SellersPanel } from './views/sellers-panel';
import { Trade, TradesTape } from './views/trades-tape';

/** The market on screen: its book as the feed keeps it, and how to stop listening to it. */
interface View {
  market: Market;
  book: LocalBook;
  stop: (() => void)[];
}

const api = new Api();
const notices = new Notices();
const feed = new Feed(
  `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`,
  (state, retryInMs) => notices.connection(state, retryInMs),
  (error) => notices.error(error),
);
const ladder = new Ladder();
const tape = new TradesTape();
const candles = new CandlesChart();
const depth = new DepthChart();
const sellers = new SellersPanel(api, (error, doing) => notices.error(error, doing));
const account = new AccountPanel(api, feed, (error, doing) => notices.error(error, doing));
let view: View | null = null;

function show(market: Market): void {
  view?.stop.forEach((stop) => stop());
  const current: View = { market, book: new LocalBook(), stop: [] };
  view = current;
  history.replaceState(null, '', `#${market.symbol}`);
  byId('market-title').textContent = market.symbol;
  ladder.render(null);
  current.stop.push(
    feed.subscribe('book', market.symbol, (m) => onBook(current, m)),
    feed.subscribe('trades', market.symbol, (m) => {
      tape.add(m as unknown as Trade);
      candles.add(m as unknown as Trade);
      sellers.traded();
    }),
  );
  account.setMarket(market);
  sellers.setMarket(market.symbol);
  void loadHistory(current);
}

async function loadHistory(current: View): Promise<void> {
  const { symbol, tickSize } = current.market;
  try {
    const [trades, history] = await Promise.all([
      api.get<Trade[]>(`/v1/markets/${encodeURIComponent(symbol)}/trades`, { limit: 60 }),
      api.get<Candle[]>(`/v1/markets/${encodeURIComponent(symbol)}/candles`, { interval: '1m', limit: 500 }),
    ]);
    if (view !== current) return;
    tape.reset(trades);
    candles.reset(history, tickSize);
  } catch (error) {
    notices.error(error, `loading ${symbol}'s trades`);
  }
}

/** Keeps the book in step with the feed; out of step (a gap, a bad checksum), it starts the subscription over. */
function onBook(current: View, m: FeedMessage): void {
  if (view !== current) return;
  const { book } = current;
  if (m.type !== 'snapshot' && book.sequence < 0) return; // waiting for the snapshot
  const check =
    m.channel === 'heartbeat'
      ? book.heartbeat(m.sequence as number)
      : m.type === 'snapshot'
        ? book.snapshot(
            m.sequence as number,
            m.bids as WireLevel[],
            m.asks as WireLevel[],
            m.checksum as number,
          )
        : book.update(m.sequence as number, m.changes as [Side, string, number][], m.checksum as number);
  if (check !== 'ok') {
    book.sequence = -1;
    byId('book-sequence').textContent = check === 'gap' ? 'resyncing (sequence gap)' : 'resyncing (checksum)';
    feed.resubscribe('book', current.market.symbol);
    return;
  }
  if (m.channel === 'heartbeat') return;
  ladder.render(book);
  depth.render(book, current.market.tickSize);
}

async function start(): Promise<void> {
  let markets: Market[];
  for (;;) {
    try {
      markets = await api.get<Market[]>('/v1/markets');
      break;
    } catch (error) {
      notices.error(error, 'loading the markets (retrying)');
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
  const picker = new MarketPicker(markets, show);
  picker.render();
  feed.start();
  for (const market of markets)
    feed.subscribe('ticker', market.symbol, (m) => picker.ticker(m as unknown as Ticker));
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = markets.find((m) => m.symbol === wanted) ?? markets[0];
  if (first) picker.select(first.symbol);
  await account.start();
}

void start();
