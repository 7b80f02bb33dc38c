import { ExchangeSocket, unwrap } from '@gpu-hour-exchange/client';
import './style.css';
import { Api } from './api';
import { byId } from './dom';
import { AccountPanel } from './views/account-panel';
import { CandlesChart } from './views/candles-chart';
import { DepthChart } from './views/depth-chart';
import { Ladder } from './views/ladder';
import { Market, MarketPicker } from './views/market-picker';
import { Notices } from './views/notices';
import { SellersPanel } from './views/sellers-panel';
import { TradesTape } from './views/trades-tape';

/** The market on screen, and how to stop listening to it. */
interface View {
  market: Market;
  stop: (() => void)[];
}

const api = new Api();
const notices = new Notices();
const feed = new ExchangeSocket({ url: location.origin, maxReconnectDelayMs: 5000 });
feed.on('state', (state, { retryInMs }) => notices.connection(state, retryInMs));
feed.on('error', (error) => notices.error(error));
const ladder = new Ladder();
const tape = new TradesTape();
const candles = new CandlesChart();
const depth = new DepthChart();
const sellers = new SellersPanel(api, (error, doing) => notices.error(error, doing));
const account = new AccountPanel(api, feed, (error, doing) => notices.error(error, doing));
let view: View | null = null;

function show(market: Market): void {
  view?.stop.forEach((stop) => stop());
  const current: View = { market, stop: [] };
  view = current;
  history.replaceState(null, '', `#${market.symbol}`);
  byId('market-title').textContent = market.symbol;
  ladder.render(null);
  current.stop.push(feed.subscribe('book', market.symbol), feed.subscribe('trades', market.symbol));
  account.setMarket(market);
  sellers.setMarket(market.symbol);
  void loadHistory(current);
}

async function loadHistory(current: View): Promise<void> {
  const { symbol, tickSize } = current.market;
  try {
    const [trades, history] = await Promise.all([
      unwrap(
        api.rest.GET('/v1/markets/{symbol}/trades', { params: { path: { symbol }, query: { limit: 60 } } }),
      ),
      unwrap(
        api.rest.GET('/v1/markets/{symbol}/candles', {
          params: { path: { symbol }, query: { interval: '1m', limit: 500 } },
        }),
      ),
    ]);
    if (view !== current) return;
    tape.reset(trades);
    candles.reset(history, tickSize);
  } catch (error) {
    notices.error(error, `loading ${symbol}'s trades`);
  }
}

// The SDK keeps each book in step (sequence and checksum) and starts it over when it is not: the page draws it.
feed.on('book', (symbol, book) => {
  if (view?.market.symbol !== symbol) return;
  ladder.render(book);
  depth.render(book, view.market.tickSize);
});
feed.on('resync', (symbol, reason) => {
  if (view?.market.symbol === symbol)
    byId('book-sequence').textContent = `resyncing (${reason === 'gap' ? 'sequence gap' : 'checksum'})`;
});
feed.on('trade', (trade) => {
  if (view?.market.symbol !== trade.symbol) return;
  tape.add(trade);
  candles.add(trade);
  sellers.traded();
});

async function start(): Promise<void> {
  let markets: Market[];
  for (;;) {
    try {
      markets = await unwrap(api.rest.GET('/v1/markets'));
      break;
    } catch (error) {
      notices.error(error, 'loading the markets (retrying)');
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
  const picker = new MarketPicker(markets, show);
  picker.render();
  void feed.connect();
  feed.on('ticker', (ticker) => picker.ticker(ticker));
  for (const market of markets) feed.subscribe('ticker', market.symbol);
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = markets.find((m) => m.symbol === wanted) ?? markets[0];
  if (first) picker.select(first.symbol);
  await account.start();
}

void start();
