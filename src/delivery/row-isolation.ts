/**
 * SQLSTATE classes of errors that one row's values can cause: 22 data exception (a date out of range, NUL in
 * text), 23 integrity constraint, 54 program limit (a value too large). Anything else (a lost connection, a
 * timeout, a serialization failure) is the batch's, not a row's, and is retried as a whole.
 */
const ROW_ERROR_CLASSES = new Set(['22', '23', '54']);

export function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ROW_ERROR_CLASSES.has(code.slice(0, 2));
}

/**
 * Writes `rows` in one statement; when the database refuses them for a row's values, writes each group (the
 * rows of one enrollment) on its own and reports the groups it refused, so one bad row costs its own
 * enrollment and never the batch. Groups are few and failures rare, so one statement per group is cheap
 * enough on this path and the common path stays a single statement.
 */
export async function writeIsolated<T>(
  rows: T[],
  groupOf: (row: T) => string,
  write: (rows: T[]) => Promise<unknown>,
): Promise<Map<string, unknown>> {
  const refused = new Map<string, unknown>();
  if (rows.length === 0) return refused;
  try {
    await write(rows);
    return refused;
  } catch (error) {
    if (!isRowError(error)) throw error;
  }
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = groupOf(row);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, group] of groups) {
    try {
      await write(group);
    } catch (error) {
      if (!isRowError(error)) throw error;
      refused.set(key, error);
    }
  }
  return refused;
}
