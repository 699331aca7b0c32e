import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { seedCampaign } from '../support/campaign.js';
import { pass } from '../support/pass.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const execFileAsync = promisify(execFile);
const CONTACTS = 5;

/**
 * The file outbox (no SMTP_URL) on a disk that is full: a tmpfs of 64 KB mounted on DATA_DIR/outbox and filled.
 * A send that cannot be written is tried again later, not failed for good; once there is room it goes out.
 * Mounting needs root; elsewhere the test is skipped.
 */
const root = process.getuid?.() === 0;

(root ? describe : describe.skip)('the .eml outbox on a full disk', () => {
  let t: TestApp;
  let outbox: string;
  let mounted = false;

  beforeAll(async () => {
    t = await startTestApp({ SCHEDULER_TEST_CLOCK: 'true', SMTP_RETRY_BASE_MS: '1000' });
    outbox = path.join(t.dataDir, 'outbox');
    await mkdir(outbox, { recursive: true });
    await execFileAsync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', outbox]);
    mounted = true;
    await seedCampaign(t.post, {
      key: 'full',
      domain: 'full.example',
      prefix: 'f',
      contacts: CONTACTS,
      steps: [{ key: 'first', dayOffset: 0 }],
      startAt: '2026-11-24T10:00:00Z',
    });
  });
  afterAll(async () => {
    if (mounted) await execFileAsync('umount', [outbox]);
    await t?.close();
  });

  it('retries the sends it cannot write, writes no partial file, and sends them once there is room', async () => {
    const filler = path.join(outbox, 'filler');
    await writeFile(filler, Buffer.alloc(1024 * 1024)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOSPC') throw error;
    });

    const full = await pass(t, '2026-11-24T10:01:00Z');
    expect(full).toMatchObject({ claimed: CONTACTS, retrying: CONTACTS, failed: 0 });
    const rows = await t.pool.query<{ status: string; reason: string }>(`SELECT status, reason FROM deliveries`);
    expect(rows.rows).toEqual(Array(CONTACTS).fill({ status: 'retrying', reason: 'outbox: ENOSPC' }));
    expect((await readdir(outbox)).filter((name) => name !== 'filler')).toEqual([]);

    await rm(filler);
    const later = await t.pool.query<{ next: Date }>(`SELECT max(next_due_at) AS next FROM enrollments`);
    const now = new Date(later.rows[0].next.getTime() + 1000).toISOString();
    const roomy = await pass(t, now);
    expect(roomy).toMatchObject({ sent: CONTACTS, failed: 0 });
    expect((await readdir(outbox)).filter((name) => name.endsWith('.eml'))).toHaveLength(CONTACTS);
  });
});
