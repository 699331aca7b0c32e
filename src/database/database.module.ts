import {
  Global,
  Inject,
  Injectable,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  RequestMethod,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { type EmbeddedDatabase, openEmbeddedDatabase } from './embedded-database.js';
import { migrations } from './migrations/index.js';
import { ScopedTimeoutClient, statementTimeoutMiddleware } from './statement-timeout.js';

/** Where the data lives: a server from DATABASE_URL, or the embedded PostgreSQL under DATA_DIR. */
export class DatabaseTarget {
  constructor(
    readonly url: string,
    readonly embedded: EmbeddedDatabase | undefined,
    /** PGlite (embedded, or reached through DATABASE_URL as the tests may do) accepts statement_timeout and ignores it. */
    readonly enforcesStatementTimeout: boolean,
  ) {}

  get kind(): 'server' | 'embedded' {
    return this.embedded ? 'embedded' : 'server';
  }
}

async function openTarget(config: AppConfig): Promise<DatabaseTarget> {
  const logger = new Logger('Database');
  if (config.databaseUrl) {
    const version = await assertReachable(config.databaseUrl);
    logger.log(`Using PostgreSQL server ${redact(config.databaseUrl)}`);
    return new DatabaseTarget(config.databaseUrl, undefined, !/PGlite/.test(version));
  }
  const embedded = await openEmbeddedDatabase(config, logger);
  return new DatabaseTarget(embedded.url, embedded, embedded.enforcesStatementTimeout);
}

/**
 * Fails the boot at once with the variable's name instead of after TypeORM's silent retries; answers the
 * server's version().
 */
async function assertReachable(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    return rows[0].version;
  } catch (error) {
    throw new Error(`Cannot connect to DATABASE_URL (${redact(url)}): ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly dataSource: DataSource,
    private readonly target: DatabaseTarget,
  ) {}

  /**
   * A pooled connection the server drops (failover, pg_terminate_backend) emits 'error'. pg-pool listens
   * while the connection is idle and TypeORM while it runs a query, but not in the instant between the
   * two: an error landing there had no listener and crashed the process (seen in the fault tests). Every
   * connection gets a permanent listener; the query that used it still fails and the pool replaces it.
   */
  onModuleInit(): void {
    const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
    if (!pool) return;
    const listen = (client: PgClient) =>
      client.on('error', (error) => this.logger.warn(`database connection lost: ${error.message}`));
    pool.on('connect', listen);
    for (const client of pool._clients ?? []) listen(client);
  }

  /** The pool must be closed before the embedded server it talks to goes away. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.target.embedded?.stop();
  }
}

@Global()
@Module({
  providers: [{ provide: DatabaseTarget, inject: [APP_CONFIG], useFactory: openTarget }],
  exports: [DatabaseTarget],
})
class DatabaseTargetModule {}

@Global()
@Module({
  imports: [
    DatabaseTargetModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseTargetModule],
      inject: [APP_CONFIG, DatabaseTarget],
      useFactory: (config: AppConfig, target: DatabaseTarget) => ({
        type: 'postgres' as const,
        url: target.url,
        schema: config.databaseSchema,
        entities: [],
        migrations,
        migrationsRun: true,
        migrationsTransactionMode: 'each' as const,
        synchronize: false,
        retryAttempts: 0,
        // Failed queries surface through the exception filter and its request id; TypeORM's own logger
        // would print SQL parameters (personal data) to stdout.
        logging: false,
        extra: {
          max: config.databasePoolSize,
          // Lets ops (and the fault tests) tell this service's sessions apart in pg_stat_activity.
          application_name: config.databaseSchema ? `touchpoint/${config.databaseSchema}` : 'touchpoint',
          options: config.databaseSchema ? `-c search_path=${config.databaseSchema}` : undefined,
          // Each statement of an HTTP request runs under DATABASE_STATEMENT_TIMEOUT_MS (statement-timeout.ts).
          ...(config.databaseStatementTimeoutMs > 0 && target.enforcesStatementTimeout
            ? { Client: ScopedTimeoutClient }
            : {}),
        },
      }),
    }),
  ],
  providers: [DatabaseLifecycle],
  exports: [DatabaseTargetModule],
})
export class DatabaseModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Every HTTP request is API work: its statements get the API's limit (background work gets none). */
  configure(consumer: MiddlewareConsumer): void {
    if (this.config.databaseStatementTimeoutMs === 0) return;
    consumer
      .apply(statementTimeoutMiddleware(this.config.databaseStatementTimeoutMs))
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}

interface PgClient {
  on(event: 'error', listener: (error: Error) => void): void;
}

interface PgPool {
  on(event: 'connect', listener: (client: PgClient) => void): void;
  /** pg-pool's own list of open clients (those opened before this module started, by the migrations). */
  _clients?: PgClient[];
}
