import { ExchangeProcess, TestDatabase, freshDatabase } from '../support/exchange-process';

describe('configuration is validated at boot', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await freshDatabase();
  });

  afterAll(() => database.drop());

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a port number/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /DATABASE_URL must be a postgres:\/\/ URL/],
    [{ ADMIN_API_KEY: 'short' }, /ADMIN_API_KEY must be at least 16 characters/],
    [{ TEST_CLOCK: 'maybe' }, /TEST_CLOCK must be true or false/],
    [
      { TEST_CLOCK: 'true', NODE_ENV: 'production', ADMIN_API_KEY: 'a-production-admin-key' },
      /TEST_CLOCK cannot be true with NODE_ENV=production/,
    ],
    [{ WRITER_QUEUE_LIMIT: '50000' }, /WRITER_QUEUE_LIMIT must be at most 40000/],
    [
      { NODE_ENV: 'production', ADMIN_API_KEY: 'a-production-admin-key' },
      /WEBHOOK_SECRET_KEYS is required in production/,
    ],
    [{ WEBHOOK_SECRET_KEYS: 'c2hvcnQ=' }, /WEBHOOK_SECRET_KEYS must be base64 keys of 32 bytes/],
    [{ MAX_CLUSTERS_PER_ACCOUNT: '0' }, /MAX_CLUSTERS_PER_ACCOUNT must be a positive integer/],
    [{ KEY_RATE_LIMIT_PER_SECOND: '0' }, /KEY_RATE_LIMIT_PER_SECOND must be a positive integer/],
    [{ PROVISIONER: 'magic' }, /PROVISIONER must be webhook or instant/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT must be json or pretty/],
    [{ TRUST_PROXY: 'proxy.local' }, /TRUST_PROXY: "proxy.local" is not an IP address or a CIDR range/],
    [{ LEADER_LEASE_MS: '1000', LEADER_HEARTBEAT_MS: '600' }, /LEADER_HEARTBEAT_MS must be at most half/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [
      { PROVISIONING_CONCURRENCY_PER_CLUSTER: '17' },
      /PROVISIONING_CONCURRENCY_PER_CLUSTER must be at most 16/,
    ],
    [
      { WEBHOOK_ALLOWED_HOSTS: 'ok.example.com,10.0.0.0/33' },
      /WEBHOOK_ALLOWED_HOSTS: "10.0.0.0\/33" has a prefix/,
    ],
    [{ WEBHOOK_ALLOWED_HOSTS: 'http://x' }, /WEBHOOK_ALLOWED_HOSTS: "http:\/\/x" is not a host name/],
    [{ PROVISIONING_DEADLINE_SECONDS: '-5' }, /PROVISIONING_DEADLINE_SECONDS must be a positive integer/],
    [
      { PROVISIONING_RETRY_BASE_MS: '5000', PROVISIONING_RETRY_MAX_MS: '1000' },
      /PROVISIONING_RETRY_MAX_MS must not be less than PROVISIONING_RETRY_BASE_MS/,
    ],
  ])('refuses to start with %j, naming the variable', async (env, message) => {
    await expect(ExchangeProcess.start(database, env)).rejects.toThrow(message);
  });
});
