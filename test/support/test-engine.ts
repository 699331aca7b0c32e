/** Which database the tests run on: the server of DATABASE_URL, or an embedded one (EMBEDDED_DATABASE, default native). */
export type TestEngine = 'server' | 'native' | 'pglite';

export function testEngine(): TestEngine {
  return process.env.DATABASE_URL ? 'server' : embeddedEngine();
}

export function embeddedEngine(): 'native' | 'pglite' {
  return process.env.EMBEDDED_DATABASE?.toLowerCase() === 'pglite' ? 'pglite' : 'native';
}

/**
 * Several connections truly in parallel (two instances, SKIP LOCKED, a transaction waiting on another connection),
 * statement_timeout and pg_terminate_backend: a PostgreSQL server, the native embedded one included; not PGlite.
 */
export const realServer = testEngine() !== 'pglite';

/** The migrated database every test file clones on the native embedded server. */
export const NATIVE_TEMPLATE = 'touchpoint_template';
