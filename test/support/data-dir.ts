import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from '../../src/database/native/process-guard.js';

/**
 * Removes an app's DATA_DIR once the native postmaster started in it has exited. After a SIGKILLed app its watchdog
 * stops the postmaster a moment later, and the postmaster writes WAL on its way out: removing the directory before
 * that races it (`ENOTEMPTY … pg_wal`). The wait is a ceiling for a busy machine, not a measure.
 */
export async function removeDataDir(dataDir: string, ceilingMs = 120_000): Promise<void> {
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
  const deadline = Date.now() + ceilingMs;
  while (Number.isInteger(pid) && pid > 0 && isAlive(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
