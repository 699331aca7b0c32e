import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne } from '../database/sql.js';

/** The journey settings' row of app_settings (a JSON text under one key). */
@Injectable()
export class JourneySettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async read(key: string): Promise<string | undefined> {
    const row = await queryOne<{ value: string }>(this.dataSource, `SELECT value FROM app_settings WHERE key = $1`, [
      key,
    ]);
    return row?.value;
  }

  /** One statement: the whole value is replaced, never merged, so two PUTs cannot interleave into a mix. */
  async write(key: string, value: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, value],
    );
  }
}
