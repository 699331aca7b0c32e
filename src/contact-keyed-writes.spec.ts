import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every UPDATE or DELETE on a table keyed by contact names `contact_id = …` in its own text (WHERE or join), so a
 * database distributed by contact_id (Citus) prunes it to one shard instead of fanning it out to all of them. This
 * reads the SQL of src/ as written; a new statement that forgets the key fails here. The statements listed in
 * ALLOWED are the deliberate exceptions, each with its reason.
 */
const SRC = dirname(fileURLToPath(import.meta.url));
const CONTACT_KEYED = ['enrollments', 'deliveries', 'events', 'conversions', 'tracking_events'];
const WRITE = new RegExp(`\\b(UPDATE|DELETE\\s+FROM)\\s+(${CONTACT_KEYED.join('|')})\\b`, 'g');
const NAMES_CONTACT = /\b(?:\w+\.)?contact_id\s*=/;

/** `file: first words of the statement` → why it may omit contact_id. */
const ALLOWED: Record<string, string> = {
  'delivery/delivery.repository.ts: UPDATE enrollments SET locked_by = $1':
    'the claim: it walks the due index across contacts (FOR UPDATE SKIP LOCKED), the distributed-mode work to come',
  "delivery/delivery.repository.ts: UPDATE deliveries SET status = 'unknown'":
    'the expiry sweep: every stale in-flight row, whoever its contact, by the pending index',
  'lifecycle/enrollment-lifecycle.repository.ts: UPDATE enrollments SET status = $1':
    'its WHERE is built by Conditions: contact_id for every target but archive, which ends a whole sequence',
  'tracking/tracking.repository.ts: UPDATE deliveries d SET opened_at':
    "an open pixel's token names only the delivery (the links already sent must keep working), so its one " +
    'statement finds the row by id; a token that also carries the contact is the distributed-mode work to come',
};

const allowed = (key: string): boolean => Object.keys(ALLOWED).some((prefix) => key.startsWith(prefix));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * The statement from its keyword to where it ends: the template literal's closing backtick, its RETURNING, or
 * the parenthesis that closes the CTE it sits in.
 */
function statementAt(text: string, start: number): string {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === '`') return text.slice(start, i);
    if (char === '(') depth++;
    if (char === ')' && --depth < 0) return text.slice(start, i);
    if (depth === 0 && text.startsWith('RETURNING', i)) return text.slice(start, i);
  }
  return text.slice(start);
}

function contactKeyedWrites(): Array<{ key: string; statement: string }> {
  return sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(WRITE)].map((match) => {
      const statement = statementAt(text, match.index).replace(/\s+/g, ' ');
      return { key: `${relative(SRC, file)}: ${statement.split(' ').slice(0, 6).join(' ')}`, statement };
    });
  });
}

describe('writes to contact-keyed tables', () => {
  const writes = contactKeyedWrites();

  it('are found where they are (the scan reads the SQL of every write path)', () => {
    const files = new Set(writes.map((write) => write.key.split(':')[0]));
    expect([...files].sort()).toEqual(
      expect.arrayContaining([
        'contacts/contact.repository.ts',
        'delivery/delivery.repository.ts',
        'lifecycle/enrollment-lifecycle.repository.ts',
        'sequences/sequence-sql.ts',
        'tracking/tracking.repository.ts',
      ]),
    );
  });

  it('each name contact_id in their own text, but for the listed exceptions', () => {
    const missing = writes
      .filter((write) => !NAMES_CONTACT.test(write.statement) && !allowed(write.key))
      .map((write) => write.key);
    expect(missing).toEqual([]);
  });

  it('list no exception that is gone or no longer needed', () => {
    const needed = writes.filter((write) => !NAMES_CONTACT.test(write.statement)).map((write) => write.key);
    expect(Object.keys(ALLOWED).filter((prefix) => !needed.some((key) => key.startsWith(prefix)))).toEqual([]);
  });

  it('recognise a statement that forgets the key', () => {
    const forgetful = 'UPDATE deliveries SET clicked_at = $2 WHERE id = $1';
    const keyed = 'UPDATE deliveries d SET clicked_at = $2 WHERE d.contact_id = $3 AND d.id = $1';
    expect(NAMES_CONTACT.test(statementAt(forgetful, 0))).toBe(false);
    expect(NAMES_CONTACT.test(statementAt(keyed, 0))).toBe(true);
    // A join to contacts on the row's contact_id is not a filter on it.
    expect(NAMES_CONTACT.test('UPDATE deliveries d SET x = 1 WHERE d.id = $1 AND c.id = d.contact_id')).toBe(false);
  });
});
