import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { binariesPackageDirectory } from './native/binaries.js';
import { NATIVE_CLUSTER, NativePostgres } from './native/native-postgres.js';

/** The database the app starts and stops itself when DATABASE_URL is unset. */
export interface EmbeddedDatabase {
  readonly engine: 'native' | 'pglite';
  readonly url: string;
  /** statement_timeout is enforced (PGlite accepts it and ignores it). */
  readonly enforcesStatementTimeout: boolean;
  stop(): Promise<void>;
}

/** PGlite's data directory inside DATA_DIR (the native cluster lives in DATA_DIR/postgres). */
const PGLITE_DIRECTORY = 'pgdata';

/**
 * Native unless asked otherwise, with two exceptions that keep an existing installation working: a DATA_DIR
 * holding only a PGlite database keeps PGlite (its data cannot be opened by PostgreSQL's binaries: README
 * "Moving from PGlite"), and a platform without binaries falls back to PGlite.
 */
export function chooseEngine(config: AppConfig, logger: Logger): 'native' | 'pglite' {
  const pglite = existsSync(path.join(config.dataDir, PGLITE_DIRECTORY, 'PG_VERSION'));
  const native = existsSync(path.join(config.dataDir, NATIVE_CLUSTER, 'PG_VERSION'));
  if (config.embeddedDatabase === 'pglite') return 'pglite';
  if (config.embeddedDatabase === 'native') {
    if (pglite && !native) {
      logger.warn(
        `${config.dataDir}/${PGLITE_DIRECTORY} holds a PGlite database, which EMBEDDED_DATABASE=native does not open: ` +
          `a new, empty database is created in ${config.dataDir}/${NATIVE_CLUSTER} (README "Moving from PGlite")`,
      );
    }
    return 'native';
  }
  if (pglite && !native) {
    logger.warn(
      `${config.dataDir} holds a PGlite database: keeping PGlite. The native embedded PostgreSQL (the default for ` +
        'new installations) uses less memory and serves connections in parallel: README "Moving from PGlite"',
    );
    return 'pglite';
  }
  if (!binariesPackageDirectory()) {
    logger.warn(`No PostgreSQL binaries for ${process.platform}-${process.arch}: using PGlite`);
    return 'pglite';
  }
  return 'native';
}

export async function openEmbeddedDatabase(config: AppConfig, logger: Logger): Promise<EmbeddedDatabase> {
  return chooseEngine(config, logger) === 'native' ? openNative(config, logger) : openPglite(config, logger);
}

async function openNative(config: AppConfig, logger: Logger): Promise<EmbeddedDatabase> {
  const server = await NativePostgres.start({
    dataDir: config.dataDir,
    port: config.embeddedDatabasePort,
    // The pool, and room for psql, a script or a second pool during a rolling restart.
    settings: { max_connections: String(Math.max(100, config.databasePoolSize + 20)) },
    log: (message) => logger.log(message),
  });
  logger.log(
    `Using embedded PostgreSQL (native) in ${config.dataDir}/${NATIVE_CLUSTER} on 127.0.0.1:${server.port} ` +
      `(PGPASSWORD=$(cat ${server.passwordFile}) psql -h 127.0.0.1 -p ${server.port} -U postgres; ` +
      'set DATABASE_URL for a server)',
  );
  return { engine: 'native', url: server.url(), enforcesStatementTimeout: true, stop: () => server.stop() };
}

async function openPglite(config: AppConfig, logger: Logger): Promise<EmbeddedDatabase> {
  // The socket server must accept every pooled connection, or queries fail with ECONNRESET; a few more
  // are left for psql or a script.
  const embedded = await EmbeddedPostgres.start({
    dataDir: config.dataDir,
    port: config.embeddedDatabasePort,
    maxConnections: config.databasePoolSize + 6,
  });
  logger.log(
    `Using embedded PostgreSQL (PGlite) in ${config.dataDir}/${PGLITE_DIRECTORY} on the unix socket in ` +
      `${embedded.socketPath} (psql -h ${embedded.socketPath} -U postgres; set DATABASE_URL for a server)`,
  );
  if (embedded.tcpAddress) {
    logger.warn(
      `The embedded database also listens on ${embedded.tcpAddress} (EMBEDDED_DATABASE_PORT) without a password: ` +
        'every user of this machine can read and change it, the token-signing secret included',
    );
  }
  if (config.databaseStatementTimeoutMs > 0) {
    // Measured on PGlite 0.5.14: with statement_timeout 500 ms, pg_sleep(3) ran 3 s and a 30-million-row count
    // 18.5 s. Its one backend runs on this thread, so nothing in the process can interrupt a statement either.
    logger.warn('DATABASE_STATEMENT_TIMEOUT_MS is not enforced by PGlite (EMBEDDED_DATABASE=native enforces it)');
  }
  return { engine: 'pglite', url: embedded.url, enforcesStatementTimeout: false, stop: () => embedded.stop() };
}
