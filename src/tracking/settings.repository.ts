import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryOne } from '../database/sql.js';

/** app_settings: values the instances share and keep across restarts. */
@Injectable()
export class SettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The stored value of `key`, storing `initial` first when there is none. The first instance to write wins, so
   * every instance reads the same value however many start at once.
   */
  async getOrCreate(key: string, initial: string): Promise<string> {
    await this.dataSource.query(`INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [
      key,
      initial,
    ]);
    const row = await queryOne<{ value: string }>(this.dataSource, `SELECT value FROM app_settings WHERE key = $1`, [
      key,
    ]);
    return row!.value;
  }
}
