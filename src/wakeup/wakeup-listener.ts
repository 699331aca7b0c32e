import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DatabaseTarget } from '../database/database.module.js';
import { SchedulerWakeup } from './scheduler-wakeup.js';
import { listenForWakeups, WakeupRepository } from './wakeup.repository.js';

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 10_000;

/**
 * A scheduling instance hears the other instances' wake-ups (SchedulerWakeup's NOTIFY) and wakes its scheduler.
 * LISTEN lasts as long as its session, so it holds a connection of its own, outside TypeORM's pool (which would
 * hand it to queries, and replace it unnoticed when it drops). When the connection drops it is opened again,
 * with backoff; meanwhile the scheduler's interval still finds the work.
 */
@Injectable()
export class WakeupListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WakeupListener');
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_FIRST_MS;
  private inOutage = false;
  private stopping = false;

  constructor(
    private readonly wakeup: SchedulerWakeup,
    private readonly repository: WakeupRepository,
    private readonly target: DatabaseTarget,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Listening before the app reports healthy: an event posted anywhere once it is up wakes this scheduler. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.schedulerEnabled || !this.wakeup.reachesOtherInstances) return;
    await this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    const schema = this.config.databaseSchema;
    const client = new pg.Client({
      connectionString: this.target.url,
      // Ops (and the reconnection test) find this session in pg_stat_activity by its name.
      application_name: schema ? `touchpoint-wakeup/${schema}` : 'touchpoint-wakeup',
      // An idle session hears nothing of a peer that vanished without a FIN; keepalives notice it.
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
      connectionTimeoutMillis: 10_000,
    });
    this.client = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.payload !== this.wakeup.instanceId) this.wakeup.wakeLocal();
    });
    try {
      await client.connect();
      await listenForWakeups(client, this.repository.channel);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.inOutage) this.logger.log('listening for wake-ups again');
    this.inOutage = false;
    this.retryMs = RETRY_FIRST_MS;
    // Work announced while no one listened (an outage, or just before boot) was announced to no one.
    this.wakeup.wakeLocal();
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client) return; // already handled, or shut down
    this.client = undefined;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.stopping) return;
    if (!this.inOutage) {
      this.logger.warn(
        `wake-up listener lost its database connection${error ? ` (${error.message})` : ''}; reconnecting, ` +
          'and work created on other instances meanwhile waits for the scheduler interval',
      );
    }
    this.inOutage = true;
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}
