import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type MailOptions, readMailOptions } from './mail-options.js';
import { deploymentProblems } from './production-checks.js';
import { EnvReader, type Environment, type TrustProxy } from './env-reader.js';

export type { Environment, TrustProxy } from './env-reader.js';

/** The validated, typed configuration. Nothing else in the code reads `process.env`. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  /**
   * Which embedded database runs when DATABASE_URL is unset: PostgreSQL's own binaries (`native`, the default) or
   * PGlite, PostgreSQL in WebAssembly inside the process (`pglite`); undefined: native, unless DATA_DIR holds only
   * a PGlite database or this platform has no binaries.
   */
  embeddedDatabase: 'native' | 'pglite' | undefined;
  /**
   * Loopback TCP port of the embedded database. Native: the port it listens on (unset or 0: any free one), with
   * the password in DATA_DIR/postgres.password. PGlite: an extra port for psql or a script (unset: none, the app
   * reaches it over a unix socket only it can open); PGlite asks no password, so that port is open to every local user.
   */
  embeddedDatabasePort: number | undefined;
  smtpUrl: string | undefined;
  /** Without SMTP_URL, emails go to DATA_DIR/outbox on purpose (what production otherwise refuses). */
  outboxOnly: boolean;
  smtpMaxConnections: number;
  /** nodemailer in a worker thread (default) or on the scheduler's thread. */
  smtpWorkerThread: boolean;
  smtpRateLimit: number | undefined;
  /** nodemailer's limits: TCP connect, the server's greeting, and silence on an open connection. */
  smtpConnectionTimeoutMs: number;
  smtpGreetingTimeoutMs: number;
  smtpSocketTimeoutMs: number;
  /** Consecutive timeouts or refused connections that open the SMTP breaker (0: no breaker). */
  smtpBreakerThreshold: number;
  /** How long an open breaker fails sends at once before one send probes the server again. */
  smtpBreakerCooldownMs: number;
  mailFrom: string;
  publicUrl: string;
  adminApiKeys: string[];
  /** True when no key was configured and one was generated for this run (never in production). */
  adminApiKeyGenerated: boolean;
  secretKey: string | undefined;
  schedulerEnabled: boolean;
  schedulerIntervalMs: number;
  schedulerTestClock: boolean;
  /** How long a claimed enrollment or an in-flight send is held before others may take it over. */
  schedulerLeaseMs: number;
  schedulerBatchSize: number;
  /** SMTP attempts per step before a transient failure becomes `failed`. */
  smtpMaxAttempts: number;
  smtpRetryBaseMs: number;
  databasePoolSize: number;
  /** statement_timeout of the database statements an HTTP request runs (0: none). */
  databaseStatementTimeoutMs: number;
  /** Requests per minute and client address to the public tracking and unsubscribe endpoints (0: off). */
  publicRateLimit: number;
  /** Failed admin authentications per 15 minutes and client address before further calls get 429 (0: off). */
  authFailureLimit: number;
  /** Express's `trust proxy`: which hops may name the client in X-Forwarded-For (rate limits key on it). */
  trustProxy: TrustProxy;
  logLevel: string;
  /** Extra pg connection `options` (e.g. a search_path), used by tests to give each file its own schema. */
  databaseSchema: string | undefined;
  /** Default tracking of sequences (TRACK_OPENS, TRACK_CLICKS) and the DKIM key (DKIM_*): mail-options.ts. */
  mail: MailOptions;
  /** Port of the inbound SMTP listener for returned mail (0: any free port); unset: no listener, no VERP. */
  bounceSmtpPort: number | undefined;
  /** Domain of the per-delivery envelope senders (`bounce+<token>@…`); defaults to MAIL_FROM's domain. */
  bounceDomain: string;
  /** Token of the provider webhooks (`?token=`); unset: they answer 404. */
  webhookToken: string | undefined;
  /** Complaints per email sent in 24 h at which marketing sequences are paused. */
  complaintRateLimit: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the environment. Every bad variable is reported at once, by name, so a
 * misconfigured deployment fails at boot with one clear message instead of at the first send.
 */
export function loadConfig(env: Environment): AppConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.string('NODE_ENV', 'development');
  const port = read.integer('PORT', 3000, 0, 65535);
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = path.resolve(read.string('DATA_DIR', './data'));
  const embeddedDatabase = read.optionalString('EMBEDDED_DATABASE')?.toLowerCase();
  if (embeddedDatabase !== undefined && embeddedDatabase !== 'native' && embeddedDatabase !== 'pglite') {
    read.problems.push(`EMBEDDED_DATABASE must be native or pglite, got "${embeddedDatabase}"`);
  }
  const embeddedDatabasePort = read.optionalInteger('EMBEDDED_DATABASE_PORT', 0, 65535);
  const smtpUrl = read.url('SMTP_URL', ['smtp:', 'smtps:']);
  const smtpMaxConnections = read.integer('SMTP_MAX_CONNECTIONS', 5, 1, 1000);
  const smtpWorkerThread = read.boolean('SMTP_WORKER_THREAD', true);
  const smtpRateLimit = read.optionalNumber('SMTP_RATE_LIMIT', 0.001);
  const smtpConnectionTimeoutMs = read.integer('SMTP_CONNECTION_TIMEOUT_MS', 10_000, 10, 600_000);
  const smtpGreetingTimeoutMs = read.integer('SMTP_GREETING_TIMEOUT_MS', 10_000, 10, 600_000);
  const smtpSocketTimeoutMs = read.integer('SMTP_SOCKET_TIMEOUT_MS', 60_000, 10, 3_600_000);
  const smtpBreakerThreshold = read.integer('SMTP_BREAKER_THRESHOLD', 5, 0, 10_000);
  const smtpBreakerCooldownMs = read.integer('SMTP_BREAKER_COOLDOWN_MS', 30_000, 10, 86_400_000);
  const mailFrom = read.string('MAIL_FROM', 'Touchpoint <no-reply@localhost>');
  if (/[\r\n]/.test(mailFrom)) read.problems.push('MAIL_FROM must not contain line breaks');
  const givenPublicUrl = read.url('PUBLIC_URL', ['http:', 'https:']);
  const publicUrl = givenPublicUrl ?? `http://localhost:${port}`;
  const outboxOnly = read.boolean('OUTBOX_ONLY', false);
  read.problems.push(
    ...deploymentProblems({
      nodeEnv,
      smtpUrl,
      outboxOnly,
      publicUrl: givenPublicUrl,
      publicUrlGiven: read.optionalString('PUBLIC_URL') !== undefined,
    }),
  );
  const schedulerEnabled = read.boolean('SCHEDULER_ENABLED', true);
  const schedulerIntervalMs = read.integer('SCHEDULER_INTERVAL_MS', 5000, 50, 86_400_000);
  const schedulerTestClock = read.boolean('SCHEDULER_TEST_CLOCK', false);
  const schedulerLeaseMs = read.integer('SCHEDULER_LEASE_MS', 300_000, 1000, 86_400_000);
  const schedulerBatchSize = read.integer('SCHEDULER_BATCH_SIZE', 500, 1, 10_000);
  const smtpMaxAttempts = read.integer('SMTP_MAX_ATTEMPTS', 5, 1, 100);
  const smtpRetryBaseMs = read.integer('SMTP_RETRY_BASE_MS', 60_000, 1, 86_400_000);
  const databasePoolSize = read.integer('DATABASE_POOL_SIZE', 10, 1, 500);
  const databaseStatementTimeoutMs = read.integer('DATABASE_STATEMENT_TIMEOUT_MS', 60_000, 0, 86_400_000);
  const publicRateLimit = read.integer('PUBLIC_RATE_LIMIT', 600, 0, 1_000_000);
  const authFailureLimit = read.integer('AUTH_FAILURE_LIMIT', 30, 0, 1_000_000);
  const trustProxy = read.trustProxy('TRUST_PROXY');
  const logLevel = read.oneOf('LOG_LEVEL', 'info', LOG_LEVELS);
  const secretKey = read.optionalString('SECRET_KEY');
  if (secretKey !== undefined && secretKey.length < 32) {
    read.problems.push('SECRET_KEY must be at least 32 characters');
  }
  const bounceSmtpPort = read.optionalInteger('BOUNCE_SMTP_PORT', 0, 65535);
  const bounceDomain = (read.optionalString('BOUNCE_DOMAIN') ?? domainOf(mailFrom)).toLowerCase();
  if (
    bounceSmtpPort !== undefined &&
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(bounceDomain)
  ) {
    read.problems.push(`BOUNCE_DOMAIN must be a domain name, got "${bounceDomain}" (set it when MAIL_FROM has none)`);
  }
  const webhookToken = read.optionalString('WEBHOOK_TOKEN');
  if (webhookToken !== undefined && webhookToken.length < 16) {
    read.problems.push('WEBHOOK_TOKEN must be at least 16 characters');
  }
  const complaintRateLimit = read.optionalNumber('COMPLAINT_RATE_LIMIT', 0) ?? 0.003;
  const mail = readMailOptions(env);
  read.problems.push(...mail.problems);
  const databaseSchema = read.optionalString('DATABASE_SCHEMA');
  if (databaseSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    read.problems.push('DATABASE_SCHEMA must be a lower-case SQL identifier');
  }

  // Several comma-separated keys allow rotation: add the new key, move clients, drop the old one.
  let adminApiKeys = (read.optionalString('ADMIN_API_KEY') ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  let adminApiKeyGenerated = false;
  if (adminApiKeys.some((key) => key.length < 16)) {
    read.problems.push('ADMIN_API_KEY: each key must be at least 16 characters');
  }
  if (adminApiKeys.length === 0) {
    if (nodeEnv === 'production') {
      read.problems.push('ADMIN_API_KEY must be set when NODE_ENV=production');
    } else {
      adminApiKeys = [randomBytes(24).toString('base64url')];
      adminApiKeyGenerated = true;
    }
  }

  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return {
    nodeEnv,
    port,
    databaseUrl,
    dataDir,
    embeddedDatabase: embeddedDatabase as AppConfig['embeddedDatabase'],
    embeddedDatabasePort,
    smtpUrl,
    outboxOnly,
    smtpMaxConnections,
    smtpWorkerThread,
    smtpRateLimit,
    smtpConnectionTimeoutMs,
    smtpGreetingTimeoutMs,
    smtpSocketTimeoutMs,
    smtpBreakerThreshold,
    smtpBreakerCooldownMs,
    mailFrom,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    adminApiKeys,
    adminApiKeyGenerated,
    secretKey,
    schedulerEnabled,
    schedulerIntervalMs,
    schedulerTestClock,
    schedulerLeaseMs,
    schedulerBatchSize,
    smtpMaxAttempts,
    smtpRetryBaseMs,
    databasePoolSize,
    databaseStatementTimeoutMs,
    publicRateLimit,
    authFailureLimit,
    trustProxy,
    logLevel,
    databaseSchema,
    mail: mail.options,
    bounceSmtpPort,
    bounceDomain,
    webhookToken,
    complaintRateLimit,
  };
}

/** The domain of an address such as `Name <user@example.com>`, or '' when there is none. */
function domainOf(address: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(address)?.[1] ?? '';
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
