import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { ClusterAgent } from '../../src/cluster-agent/cluster-agent';
import { Api } from '../support/api';
import { agentSeller, eventually } from '../support/cluster-agent';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

const SYMBOL = 'H100-SXM.us-east.firm';
const ARTIFACTS = join(__dirname, '..', '..', 'artifacts', 'web');
/** What Chromium itself logs while the exchange is down (the page then shows its reconnecting state). */
const NETWORK_NOISE = /WebSocket connection to .* failed|ERR_CONNECTION_REFUSED|Failed to load resource/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The trader's page in Debian's Chromium (playwright-core), against the real exchange. */
describe("the trader's page", () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;
  let agent: ClusterAgent;
  let browser: Browser;
  let page: Page;
  let env: Record<string, string>;
  let seller: { id: string; key: string; cluster: string };
  let buyer: { id: string; key: string };
  const consoleErrors: string[] = [];

  const order = (key: string, body: Record<string, unknown>) =>
    api.http
      .post('/v1/orders')
      .set('Authorization', key)
      .send({ symbol: SYMBOL, type: 'limit', ...body })
      .expect(201);
  const askRow = (price: string) => `#ladder .ladder-row.ask[data-price="${price}"]`;
  const bidRow = (price: string) => `#ladder .ladder-row.bid[data-price="${price}"]`;
  const screenshot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    database = await freshDatabase();
    env = { PORT: String(await freePort()) };
    exchange = await ExchangeProcess.start(database, env);
    api = new Api(exchange);
    // The seller's cluster is the reference agent: leases are provisioned through the webhook, with access details.
    ({ agent, seller } = await agentSeller(api, exchange.url, 'Neocloud', {
      gpu: 'H100-SXM',
      region: 'us-east',
      gpuCount: 256,
    }));
    buyer = await api.account('AI lab', ['trade', 'read'], '100000');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await exchange?.stop();
    await database?.drop();
  });

  it('loads with no console errors, live, with the market picker and an empty book', async () => {
    await page.goto(`${exchange.url}/#${SYMBOL}`);
    await page.waitForSelector('#connection[data-state="live"]');
    await page.waitForSelector(`#market-table tr.selected[data-symbol="${SYMBOL}"]`);
    await page.waitForSelector('#ladder [data-empty="book"]');
    await page.waitForSelector('#trades [data-empty="trades"]');
    expect(await page.locator('#market-table tbody tr').count()).toBeGreaterThan(10);
    // The picker narrows by GPU model, region and lease class.
    await page.selectOption('select[data-filter="gpu"]', 'H100-SXM');
    await page.selectOption('select[data-filter="region"]', 'us-east');
    expect(await page.locator('#market-table tbody tr').count()).toBe(2);
    await screenshot('1-empty-market');
    expect(consoleErrors).toEqual([]);
  });

  it('shows orders placed through the API in the ladder within a second, with totals and the ticker', async () => {
    await order(seller.key, { side: 'sell', price: '2.60', quantity: 16, clusterId: seller.cluster });
    await page.waitForSelector(askRow('2.6'), { timeout: 1000 });
    await order(seller.key, { side: 'sell', price: '2.50', quantity: 8, clusterId: seller.cluster });
    await page.waitForSelector(askRow('2.5'), { timeout: 1000 });
    await order(buyer.key, { side: 'buy', price: '2.00', quantity: 24, durationHours: 2 });
    await page.waitForSelector(bidRow('2'), { timeout: 1000 });
    expect(await page.locator(askRow('2.6')).innerText()).toMatch(/2\.6\s+16\s+24/); // price, GPUs, cumulative
    expect(await page.locator('#ladder .spread').innerText()).toBe('spread 0.5');
    const ticker = page.locator(`#market-table tr[data-symbol="${SYMBOL}"]`);
    await textBecomes(ticker, /2\s+2\.5/);
    await screenshot('2-book');
    expect(consoleErrors).toEqual([]);
  });

  it('shows a trade in the tape and the candles, and takes the level it filled off the ladder', async () => {
    await order(buyer.key, { side: 'buy', price: '2.50', quantity: 8, durationHours: 3 });
    await page.waitForSelector('#trades tr[data-trade-id]', { timeout: 1000 });
    expect(await page.locator('#trades tbody tr').first().innerText()).toMatch(/2\.5\s+8\s+3/);
    await page.waitForSelector(askRow('2.5'), { state: 'detached', timeout: 1000 });
    expect(await page.locator('#candles [data-empty="candles"]').isHidden()).toBe(true);
    // Beside the book, the seller's delivery record: the lease was checked and active on time.
    const record = page.locator(`#sellers tr[data-seller-id="${seller.id}"]`);
    await record.waitFor({ timeout: 10_000 });
    await textBecomes(record, /1 \/ 0\s+100%\s+1 of 1/);
    await screenshot('3-trade');
    expect(consoleErrors).toEqual([]);
  });

  it('signs in, places, amends and cancels an order from the panel, with the balance', async () => {
    await page.fill('#sign-in input[name="apiKey"]', buyer.key.replace('Bearer ', ''));
    await page.click('#sign-in button[type="submit"]');
    await page.waitForSelector('#account [data-balance]');
    // 100,000 deposited; 24 x 2 h at 2.00 held (96); 8 x 3 h at 2.50 in escrow (60).
    expect(await page.locator('#account [data-balance]').innerText()).toMatch(
      /available\s*99844 USD.*held\s*96 USD.*escrow\s*60 USD/s,
    );
    // The SSH key the clusters will get with this buyer's leases.
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdC1hLXJlYWwta2V5LWp1c3QtYS10ZXN0 lab@page';
    await page.fill('#account input[name="sshPublicKey"]', key);
    await page.click('#account button[name="saveSshKey"]');
    await eventually(
      async () =>
        (await api.http.get('/v1/account').set('Authorization', buyer.key)).body.sshPublicKey === key,
      2000,
      'the SSH key to be saved',
    );
    await page.selectOption('#account select[name="side"]', 'buy');
    await page.fill('#account .order-form input[name="price"]', '1.90');
    await page.fill('#account .order-form input[name="quantity"]', '8');
    await page.fill('#account .order-form input[name="durationHours"]', '1');
    // 1.90 x 8 GPUs x 1 h, before it is placed.
    expect(await page.locator('#account [data-hold]').innerText()).toContain('holds 15.2 USD');
    await page.click('#account .order-form button[name="submit"]');
    await page.waitForSelector(bidRow('1.9'), { timeout: 2000 });
    const row = page.locator('#account tr[data-order-id][data-price="1.9"]');
    await row.waitFor();
    await screenshot('4-placed-from-panel');

    await row.locator('input[name="price"]').fill('1.95');
    await row.locator('button[name="amend"]').click();
    await page.waitForSelector(bidRow('1.95'), { timeout: 2000 });
    await page.waitForSelector(bidRow('1.9'), { state: 'detached' });

    // A refusal shows the API's code and message.
    await page.fill('#account .order-form input[name="price"]', '1.955');
    await page.click('#account .order-form button[name="submit"]');
    await page.waitForSelector('#errors .error[data-code="INVALID_PRICE"]');

    await page
      .locator('#account tr[data-order-id][data-price="1.95"]')
      .locator('button[name="cancel"]')
      .click();
    await page.waitForSelector(bidRow('1.95'), { state: 'detached', timeout: 2000 });
    await page.waitForSelector('#account tr[data-price="1.95"]', { state: 'detached', timeout: 2000 });
    // Still open: the 2.00 bid placed through the API.
    expect(await page.locator('#account tr[data-order-id]').count()).toBe(1);
    await page.waitForSelector('#account tr[data-order-id][data-price="2"]');
    await page.click('#account .tabs button:has-text("Leases")');
    await page.waitForSelector('#account tr[data-lease-id] [data-status="active"]');
    // The access details the cluster handed over, for the buyer's eyes.
    await page.click('#account tr[data-lease-id] details summary');
    expect(await page.locator('#account tr[data-lease-id] pre.access').innerText()).toContain(
      'login.test.internal',
    );
    await screenshot('5-cancelled-and-leases');
    expect(consoleErrors.filter((e) => !/400 \(Bad Request\)/.test(e))).toEqual([]);
  });

  it('notices a book update lost in transit (sequence gap), resubscribes, and shows the right book', async () => {
    const lossy = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    let dropNextUpdate = false;
    let bookSubscribes = 0;
    // Between the page and the exchange: drops one book update when told to, counts the page's subscriptions.
    await lossy.routeWebSocket(/\/v1\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((frame) => {
        if (JSON.parse(String(frame)).op === 'subscribe' && String(frame).includes('"book"'))
          bookSubscribes++;
        server.send(frame);
      });
      server.onMessage((frame) => {
        const message = JSON.parse(String(frame));
        if (dropNextUpdate && message.channel === 'book' && message.type === 'update') {
          dropNextUpdate = false;
          return;
        }
        ws.send(frame);
      });
    });
    await lossy.goto(`${exchange.url}/#${SYMBOL}`);
    await lossy.waitForSelector(bidRow('2'));
    expect(bookSubscribes).toBe(1);
    dropNextUpdate = true;
    await order(seller.key, { side: 'sell', price: '2.80', quantity: 8, clusterId: seller.cluster });
    await order(seller.key, { side: 'sell', price: '2.90', quantity: 8, clusterId: seller.cluster });
    // The 2.90 update arrives one past what the page has: it starts the book over and gets both levels.
    await lossy.waitForSelector(askRow('2.8'), { timeout: 2000 });
    await lossy.waitForSelector(askRow('2.9'));
    expect(bookSubscribes).toBe(2);
    expect(await lossy.locator('#ladder').innerText()).toBe(await page.locator('#ladder').innerText());
    await lossy.close();
    await api.http.delete(`/v1/orders?symbol=${SYMBOL}`).set('Authorization', seller.key).expect(200);
    await order(seller.key, { side: 'sell', price: '2.60', quantity: 16, clusterId: seller.cluster });
  });

  it('reconnects after the exchange restarts and shows the same book', async () => {
    // The book as the lossy test left it (its last orders' updates may still be on their way to this page).
    await page.waitForSelector(askRow('2.9'), { state: 'detached' });
    await page.waitForSelector(askRow('2.6'));
    const before = await page.locator('#ladder').innerText();
    expect(before).toMatch(/2\.6\s+16\s+16[\s\S]*2\s+24\s+24/);
    await exchange.stop();
    await page.waitForSelector('#connection[data-state="reconnecting"]');
    await screenshot('6-disconnected');
    exchange = await ExchangeProcess.start(database, env);
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 15_000 });
    await textBecomes(page.locator('#ladder'), before, 5000);
    expect(await page.locator('#ladder').innerText()).toBe(before);
    // And it is live again: a new order shows up.
    api = new Api(exchange);
    await order(seller.key, { side: 'sell', price: '2.70', quantity: 8, clusterId: seller.cluster });
    await page.waitForSelector(askRow('2.7'), { timeout: 1000 });
    await screenshot('7-reconnected');
    expect(consoleErrors.filter((e) => !NETWORK_NOISE.test(e) && !/400 \(Bad Request\)/.test(e))).toEqual([]);
  });
});

/** Waits until a locator's text is (or matches) what is expected. */
async function textBecomes(
  locator: ReturnType<Page['locator']>,
  expected: RegExp | string,
  timeoutMs = 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await locator.innerText();
    if (typeof expected === 'string' ? text === expected : expected.test(text)) return;
    if (Date.now() > deadline) throw new Error(`"${text}" is not ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
