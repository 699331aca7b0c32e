import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/** PostgreSQL refuses a channel name over NAMEDATALEN - 1 bytes in pg_notify (and truncates it in LISTEN). */
const MAX_CHANNEL_BYTES = 63;

/**
 * The channel of one deployment: instances on one schema share it, while schemas side by side on one database
 * (each test file has its own) do not wake each other's schedulers for work they cannot see.
 */
export function wakeupChannel(schema: string | undefined): string {
  if (!schema) return 'touchpoint_wakeup';
  const channel = `touchpoint_wakeup/${schema}`;
  if (Buffer.byteLength(channel) <= MAX_CHANNEL_BYTES) return channel;
  return `touchpoint_wakeup/${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

/** The wake-up's SQL: NOTIFY through the app's pool, LISTEN on the listener's own connection. */
@Injectable()
export class WakeupRepository {
  readonly channel: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = wakeupChannel(config.databaseSchema);
  }

  /** Run on its own (autocommit), so it is delivered at once, after the commit of the work it announces. */
  async notify(payload: string): Promise<void> {
    await this.dataSource.query(`SELECT pg_notify($1, $2)`, [this.channel, payload]);
  }

  /**
   * Whether a NOTIFY reaches a session other than the one that sent it. Not on PGlite: its one backend hands
   * the notification to whichever connection's exchange is running — the sender's — so a listener on its own
   * connection never hears it (pglite 0.5.14 through pglite-socket 0.2.17). PGlite serves one process anyway (a
   * lock refuses a second app on its DATA_DIR), whose own writes wake its scheduler in-process.
   */
  async reachesOtherSessions(): Promise<boolean> {
    const [row] = (await this.dataSource.query(`SELECT version() AS version`)) as Array<{ version: string }>;
    return !/PGlite/.test(row.version);
  }
}

export async function listenForWakeups(client: pg.Client, channel: string): Promise<void> {
  await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
}
