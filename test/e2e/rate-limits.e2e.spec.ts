import { Api } from '../support/api';
import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

describe('rate limits', () => {
  let database: TestDatabase;
  let exchange: ExchangeProcess;
  let api: Api;

  beforeAll(async () => {
    database = await freshDatabase();
    exchange = await ExchangeProcess.start(database, {
      KEY_RATE_LIMIT_PER_SECOND: '5',
      RATE_LIMIT_PER_SECOND: '40',
    });
    api = new Api(exchange);
  });

  afterAll(async () => {
    await exchange?.stop();
    await database?.drop();
  });

  it('answers 429 RATE_LIMITED per key, without slowing other keys', async () => {
    const busy = await api.account('busy', ['read']);
    const calm = await api.account('calm', ['read']);
    const statuses = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await api.http.get('/v1/account').set('Authorization', busy.key)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    const limited = await api.http.get('/v1/account').set('Authorization', busy.key).expect(429);
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    await api.http.get('/v1/account').set('Authorization', calm.key).expect(200);
  });

  it('answers 429 RATE_LIMITED per address', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await api.http.get('/v1/markets/B200.us-east.firm')).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});
