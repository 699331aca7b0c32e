import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql.js';
import { useDatabaseZones } from '../common/timezones.js';

/**
 * Loads the database's time zone names at boot, so every door that takes a zone (contacts, imports, events
 * for new contacts, sequences) accepts only zones that the due-time SQL can use. Each database has its own
 * list (the embedded one knows ~600 names, a Debian server ~1,200 with the posix/ and right/ copies).
 */
@Injectable()
export class TimezoneCatalog implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const names = await queryRows<{ name: string }>(this.dataSource, `SELECT name FROM pg_timezone_names`);
    const abbreviations = await queryRows<{ abbrev: string }>(
      this.dataSource,
      `SELECT abbrev FROM pg_timezone_abbrevs`,
    );
    useDatabaseZones(
      names.map((row) => row.name),
      abbreviations.map((row) => row.abbrev),
    );
  }
}
