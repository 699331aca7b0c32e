import type pg from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../src/database/migrations/index.js';
import { createTestDatabase, openPool, type TestDatabase } from './test-database.js';

export interface RepositoryDatabase {
  database: TestDatabase;
  /** What the repositories are constructed with, as the app's DatabaseModule configures it. */
  dataSource: DataSource;
  /** Direct SQL for seeding and for checks behind the repositories' back. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * A migrated database of its own for one test file of the repository tier: the repositories run on real
 * PostgreSQL (embedded, or the server when DATABASE_URL is set), without Nest and without HTTP.
 */
export async function openRepositoryDatabase(): Promise<RepositoryDatabase> {
  const database = await createTestDatabase();
  const dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    schema: database.schema,
    entities: [],
    migrations,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 4, options: database.schema ? `-c search_path=${database.schema}` : undefined },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    await database.close();
    throw error;
  }
  const pool = openPool(database);
  return {
    database,
    dataSource,
    pool,
    async close() {
      await pool.end();
      await dataSource.destroy();
      await database.close();
    },
  };
}

let counter = 0;

/** A name no other row of this file has. */
export const unique = (prefix: string): string => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export interface Seeded {
  sequenceId: string;
  stepIds: string[];
}

/** A sequence (active unless told) with `steps` steps, each a day apart, over one template. */
export async function seedSequence(pool: pg.Pool, options: { status?: string; steps?: number } = {}): Promise<Seeded> {
  const template = await pool.query<{ id: string }>(`INSERT INTO templates (key, name) VALUES ($1, 'T') RETURNING id`, [
    unique('t'),
  ]);
  const sequence = await pool.query<{ id: string }>(
    `INSERT INTO sequences (key, name, status) VALUES ($1, 'S', $2) RETURNING id`,
    [unique('s'), options.status ?? 'active'],
  );
  const steps = await pool.query<{ id: string }>(
    `INSERT INTO sequence_steps (sequence_id, key, position, day_offset, template_id)
     SELECT $1, 'step-' || p, p, p, $2 FROM generate_series(0, $3::int - 1) AS p ORDER BY p RETURNING id`,
    [sequence.rows[0].id, template.rows[0].id, options.steps ?? 1],
  );
  return { sequenceId: sequence.rows[0].id, stepIds: steps.rows.map((row) => row.id) };
}

/** A contact (active unless told). */
export async function seedContact(pool: pg.Pool, status = 'active'): Promise<string> {
  const row = await pool.query<{ id: string }>(`INSERT INTO contacts (email, status) VALUES ($1, $2) RETURNING id`, [
    `${unique('c')}@example.com`,
    status,
  ]);
  return row.rows[0].id;
}

export interface EnrollmentSeed {
  contactId: string;
  sequence: Seeded;
  status?: string;
  nextDueAt?: Date | null;
  lockedBy?: string | null;
  lockedUntil?: Date | null;
}

/** An enrollment at the sequence's first step; start_at is a fixed instant, the rest as given. */
export async function seedEnrollment(pool: pg.Pool, seed: EnrollmentSeed): Promise<string> {
  const row = await pool.query<{ id: string }>(
    `INSERT INTO enrollments (contact_id, sequence_id, status, start_at, next_step_id, next_due_at, locked_by, locked_until,
                              ended_at)
     VALUES ($1, $2, $3, '2026-11-20T10:00:00Z', $4, $5, $6, $7,
             CASE WHEN $3 = 'active' THEN NULL ELSE '2026-11-21T10:00:00Z'::timestamptz END)
     RETURNING id`,
    [
      seed.contactId,
      seed.sequence.sequenceId,
      seed.status ?? 'active',
      seed.sequence.stepIds[0],
      seed.nextDueAt ?? null,
      seed.lockedBy ?? null,
      seed.lockedUntil ?? null,
    ],
  );
  return row.rows[0].id;
}
