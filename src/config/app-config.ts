import { isAbsolute, resolve } from 'node:path';
import { invalidAllowedHost, invalidAllowlistEntry } from '../common/ip-allowlist';

/** Everything the exchange reads from its environment, checked once at boot. */
export interface AppConfig {
  /** `trustProxy`: the proxies (addresses, CIDR ranges) whose X-Forwarded-For names the client. */
  http: {
    port: number;
    host: string;
    rateLimitPerSecond: number;
    keyRateLimitPerSecond: number;
    trustProxy: string[];
  };
  ws: WsLimits;
  database: { url: string | null; dataDir: string };
  /** No brokers: events go to the in-process bus. Topics are `${topicPrefix}exchange.trades` and so on. */
  kafka: { brokers: string[]; topicPrefix: string; clientId: string };
  /** `failedSignInsPerMinute`: per client address, over REST and WebSocket; beyond it sign-ins are refused. */
  auth: { adminApiKey: string | null; production: boolean; failedSignInsPerMinute: number };
  provisioning: ProvisioningConfig;
  /**
   * The single writer: how long its batch statement may run (PostgreSQL cancels it after that; the writer
   * waits 2 s more for an answer before it counts the connection as lost), and how many commands may wait for
   * it before new ones are refused with OVERLOADED.
   */
  writer: { statementTimeoutMs: number; queueLimit: number };
  /** What one account may have: clusters it registers, API keys in force (neither revoked nor expired). */
  limits: { clustersPerAccount: number; apiKeysPerAccount: number };
  /** Keys that seal the clusters' webhook secrets at rest (AES-256-GCM): the first seals, all open. */
  webhookSecretKeys: Buffer[];
  testClock: boolean;
  logging: LoggingConfig;
  /** How long a leader's lease lasts without renewal, and how often nodes renew or try to take it. */
  leadership: { leaseMs: number; heartbeatMs: number };
  /** The URL other nodes and operators reach this node at (shown in /ready); by default the one it listens on. */
  advertisedUrl: string | null;
}

/** `json`: one JSON object a line (for collectors); `pretty`: one-line text for a terminal. */
export interface LoggingConfig {
  format: 'json' | 'pretty';
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  color: boolean;
}

/** What one WebSocket client may do (PROTOCOL.md: an abusive client is closed with a reason). */
export interface WsLimits {
  /** Frames a second, counted as they arrive: beyond it they get RATE_LIMITED, beyond three times it, close 4029. */
  messagesPerSecond: number;
  /** Bytes of frames received and not yet handled; beyond it, close 4009. */
  queuedBytes: number;
  /** Connections open at once from one address; beyond it, close 4030. */
  connectionsPerAddress: number;
  /** Connections opened from one address in 5 minutes; beyond it, close 4030. */
  newConnectionsPerAddress: number;
  /** Connections signed in with one API key at once; beyond it `auth` answers LIMIT_REACHED. */
  connectionsPerKey: number;
  /** Channels one connection subscribes to; beyond it `subscribe` answers LIMIT_REACHED. */
  subscriptionsPerConnection: number;
  /** Failed `auth` requests on one connection; at the limit, close 4031. */
  failedSignInsPerConnection: number;
}

/**
 * How matched GPUs reach the buyer. `webhook` (the default): the seller's cluster is called (PROTOCOL.md's
 * provisioning hook) and the lease becomes active when it answers. `instant`: no cluster is called and leases are
 * active at once (a demo or paper-trading exchange, and order-entry benchmarks).
 */
export interface ProvisioningConfig {
  mode: 'webhook' | 'instant';
  /** A lease not active this long after its trade fails, and the buyer is refunded in full. */
  deadlineSeconds: number;
  /** Every lease goes active only on passed acceptance checks, whatever its market says. */
  requireChecks: boolean;
  /** Retries wait about base x 2^(attempt-1), capped at max, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long one webhook request may take before it counts as failed (and is retried). */
  timeoutMs: number;
  /** Requests in flight at once to one cluster (at most 16, the connections kept per cluster). */
  inFlightPerCluster: number;
  /** Requests in flight at once to all of one account's clusters. */
  inFlightPerAccount: number;
  /** A cluster's breaker opens after `failures` failed requests in a row, for `openMs` (doubling per failed probe). */
  breaker: { failures: number; openMs: number };
  /** Attempts after which a deprovision is abandoned (and its cluster degraded). */
  deprovisionAttempts: number;
  /**
   * Whether webhook URLs must be https and reach only public addresses (production), and the hosts (names,
   * `*.suffix`, IP addresses or CIDR ranges) an operator allows anyway, such as on-premises clusters.
   */
  restrictTargets: boolean;
  allowedHosts: string[];
}

export class ConfigError extends Error {}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return value;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function databaseUrl(env: NodeJS.ProcessEnv): string | null {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL must be a URL such as postgres://user@127.0.0.1:5432/exchange');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must be a postgres:// URL, got protocol "${url.protocol}"`);
  }
  return raw;
}

function inFlightPerCluster(env: NodeJS.ProcessEnv): number {
  const limit = positive(env, 'PROVISIONING_CONCURRENCY_PER_CLUSTER', 4);
  if (limit > 16)
    throw new ConfigError(`PROVISIONING_CONCURRENCY_PER_CLUSTER must be at most 16, got "${limit}"`);
  return limit;
}

function trustProxy(env: NodeJS.ProcessEnv): string[] {
  const proxies = (env.TRUST_PROXY ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  for (const proxy of proxies) {
    const invalid = invalidAllowlistEntry(proxy);
    if (invalid) throw new ConfigError(`TRUST_PROXY: ${invalid}`);
  }
  return proxies;
}

function allowedHosts(env: NodeJS.ProcessEnv): string[] {
  const hosts = (env.WEBHOOK_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  for (const host of hosts) {
    const invalid = invalidAllowedHost(host);
    if (invalid) throw new ConfigError(`WEBHOOK_ALLOWED_HOSTS: ${invalid}`);
  }
  return hosts;
}

function provisioning(env: NodeJS.ProcessEnv, production: boolean): ProvisioningConfig {
  const mode = env.PROVISIONER || 'webhook';
  if (mode !== 'webhook' && mode !== 'instant')
    throw new ConfigError(`PROVISIONER must be webhook or instant, got "${mode}"`);
  const retryBaseMs = positive(env, 'PROVISIONING_RETRY_BASE_MS', 1000);
  const retryMaxMs = positive(env, 'PROVISIONING_RETRY_MAX_MS', 300_000);
  if (retryMaxMs < retryBaseMs)
    throw new ConfigError('PROVISIONING_RETRY_MAX_MS must not be less than PROVISIONING_RETRY_BASE_MS');
  return {
    mode,
    deadlineSeconds: positive(env, 'PROVISIONING_DEADLINE_SECONDS', 900),
    requireChecks: flag(env, 'PROVISIONING_REQUIRE_CHECKS'),
    retryBaseMs,
    retryMaxMs,
    timeoutMs: positive(env, 'PROVISIONING_TIMEOUT_MS', 10_000),
    inFlightPerCluster: inFlightPerCluster(env),
    inFlightPerAccount: positive(env, 'PROVISIONING_CONCURRENCY_PER_ACCOUNT', 16),
    breaker: {
      failures: positive(env, 'PROVISIONING_BREAKER_FAILURES', 5),
      openMs: positive(env, 'PROVISIONING_BREAKER_OPEN_MS', 30_000),
    },
    deprovisionAttempts: positive(env, 'PROVISIONING_DEPROVISION_ATTEMPTS', 20),
    restrictTargets: production,
    allowedHosts: allowedHosts(env),
  };
}

/**
 * A key that only development uses (outside production, when WEBHOOK_SECRET_KEYS is unset): the secrets are
 * sealed the same way, with a key that is no secret. Production must set its own.
 */
const DEVELOPMENT_SECRET_KEY = Buffer.alloc(32, 'gpu-hour-exchange development');

function webhookSecretKeys(env: NodeJS.ProcessEnv, production: boolean): Buffer[] {
  const raw = (env.WEBHOOK_SECRET_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  if (raw.length === 0) {
    if (production) throw new ConfigError('WEBHOOK_SECRET_KEYS is required in production');
    return [DEVELOPMENT_SECRET_KEY];
  }
  return raw.map((k) => {
    const key = Buffer.from(k, 'base64');
    if (key.length !== 32 || key.toString('base64') !== k)
      throw new ConfigError('WEBHOOK_SECRET_KEYS must be base64 keys of 32 bytes, comma-separated');
    return key;
  });
}

/** At most 40,000: the writer remembers the latest 50,000 clientOrderIds, more than can wait for it. */
function queueLimit(env: NodeJS.ProcessEnv): number {
  const limit = positive(env, 'WRITER_QUEUE_LIMIT', 20_000);
  if (limit > 40_000) throw new ConfigError(`WRITER_QUEUE_LIMIT must be at most 40000, got "${limit}"`);
  return limit;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

function logging(env: NodeJS.ProcessEnv): LoggingConfig {
  const format = env.LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty')
    throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${format}"`);
  const level = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level as never))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return {
    format,
    level: level as LoggingConfig['level'],
    color: !env.NO_COLOR && process.stdout.isTTY === true,
  };
}

function leadership(env: NodeJS.ProcessEnv): { leaseMs: number; heartbeatMs: number } {
  const leaseMs = positive(env, 'LEADER_LEASE_MS', 1000);
  const heartbeatMs = positive(env, 'LEADER_HEARTBEAT_MS', 200);
  if (heartbeatMs * 2 > leaseMs)
    throw new ConfigError('LEADER_HEARTBEAT_MS must be at most half of LEADER_LEASE_MS');
  return { leaseMs, heartbeatMs };
}

/** Reads and validates the configuration; throws a ConfigError naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const adminApiKey = env.ADMIN_API_KEY ? env.ADMIN_API_KEY : null;
  if (adminApiKey !== null && adminApiKey.length < 16) {
    throw new ConfigError('ADMIN_API_KEY must be at least 16 characters');
  }
  if (adminApiKey === null && production) throw new ConfigError('ADMIN_API_KEY is required in production');
  const testClock = flag(env, 'TEST_CLOCK');
  if (testClock && production) throw new ConfigError('TEST_CLOCK cannot be true with NODE_ENV=production');
  const dataDir = env.DATA_DIR || './data';
  return {
    http: {
      port: port(env, 'PORT', 8080),
      host: env.HOST || '127.0.0.1',
      rateLimitPerSecond: positive(env, 'RATE_LIMIT_PER_SECOND', 200),
      keyRateLimitPerSecond: positive(env, 'KEY_RATE_LIMIT_PER_SECOND', 100),
      trustProxy: trustProxy(env),
    },
    database: { url: databaseUrl(env), dataDir: isAbsolute(dataDir) ? dataDir : resolve(dataDir) },
    ws: {
      messagesPerSecond: positive(env, 'WS_MESSAGES_PER_SECOND', 500),
      queuedBytes: positive(env, 'WS_QUEUED_BYTES', 1024 * 1024),
      connectionsPerAddress: positive(env, 'WS_CONNECTIONS_PER_ADDRESS', 100),
      newConnectionsPerAddress: positive(env, 'WS_NEW_CONNECTIONS_PER_ADDRESS', 300),
      connectionsPerKey: positive(env, 'WS_CONNECTIONS_PER_KEY', 50),
      subscriptionsPerConnection: positive(env, 'WS_SUBSCRIPTIONS_PER_CONNECTION', 200),
      failedSignInsPerConnection: positive(env, 'WS_FAILED_SIGN_INS_PER_CONNECTION', 5),
    },
    kafka: {
      brokers: (env.KAFKA_BROKERS ?? '')
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b.length > 0),
      topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
      clientId: env.KAFKA_CLIENT_ID || 'gpu-hour-exchange',
    },
    auth: {
      adminApiKey,
      production,
      failedSignInsPerMinute: positive(env, 'FAILED_SIGN_INS_PER_MINUTE', 60),
    },
    provisioning: provisioning(env, production),
    writer: {
      statementTimeoutMs: positive(env, 'WRITER_STATEMENT_TIMEOUT_MS', 5000),
      queueLimit: queueLimit(env),
    },
    limits: {
      clustersPerAccount: positive(env, 'MAX_CLUSTERS_PER_ACCOUNT', 100),
      apiKeysPerAccount: positive(env, 'MAX_API_KEYS_PER_ACCOUNT', 50),
    },
    webhookSecretKeys: webhookSecretKeys(env, production),
    testClock,
    logging: logging(env),
    leadership: leadership(env),
    advertisedUrl: env.ADVERTISED_URL || null,
  };
}
