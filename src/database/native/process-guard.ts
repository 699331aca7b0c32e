import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * One app per DATA_DIR: the lock file holds the pid of the app that owns the embedded server. A holder that is
 * gone (SIGKILLed, crashed) leaves a stale file, taken over here; a live one refuses the second app.
 */
export async function acquireAppLock(lockFile: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    // In a container the restarted app can get its predecessor's pid: that one is gone, the file is stale.
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${path.dirname(lockFile)} is in use by another Touchpoint (process ${holder}). ` +
          'Stop it, use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server between instances.',
      );
    }
    await rm(lockFile, { force: true });
  }
  throw new Error(`Cannot take the lock ${lockFile}: another process keeps recreating it`);
}

/** Whether `pid` runs: a zombie (exited, not yet reaped by whoever inherited it) does not. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // "pid (name) S …": the state follows the last parenthesis (the name may contain one).
    const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return status.slice(status.lastIndexOf(')') + 2, status.lastIndexOf(')') + 3) !== 'Z';
  } catch (error) {
    // Gone meanwhile; or no /proc at all (macOS), where kill(0) is all there is.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform !== 'linux';
  }
}

/**
 * The pid in the cluster's postmaster.pid when that process is still running this cluster: an orphan of an app
 * that was SIGKILLed (its watchdog may be stopping it right now). Where /proc exists, a live pid is only taken
 * for the postmaster when its command line names the cluster, so a pid reused by another program (after a
 * reboot, in a container) is never signalled; PostgreSQL then treats the file as stale itself.
 */
export async function runningPostmaster(clusterDir: string): Promise<number | undefined> {
  const pid = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return undefined;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (commandLine === undefined) return process.platform === 'linux' ? undefined : pid;
  return commandLine.split('\0').includes(clusterDir) ? pid : undefined;
}

/**
 * Removes a postmaster.pid whose postmaster no longer runs. PostgreSQL takes a file whose pid is gone for stale
 * itself, but not one whose postmaster is a zombie (SIGKILLed, its app gone, not yet reaped by init): kill(0) still
 * succeeds on a zombie, so the next start failed with "lock file postmaster.pid already exists" (a CI run did). The
 * cluster's shared-memory interlock still refuses a start beside backends the dead postmaster left running.
 */
export async function clearStalePidFile(clusterDir: string): Promise<void> {
  const file = path.join(clusterDir, 'postmaster.pid');
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) await rm(file, { force: true });
}

/**
 * Ends an orphaned postmaster: first its watchdog's fast shutdown is given time, then a fast shutdown from here,
 * then an immediate one (crash recovery at the next start, no data lost), then SIGKILL.
 */
export async function stopOrphan(pid: number, log: (message: string) => void): Promise<void> {
  log(`an embedded PostgreSQL (pid ${pid}) of a previous run is still up; stopping it`);
  const steps: { signal?: NodeJS.Signals; waitMs: number }[] = [
    { waitMs: 5_000 },
    { signal: 'SIGINT', waitMs: 30_000 },
    { signal: 'SIGQUIT', waitMs: 10_000 },
    { signal: 'SIGKILL', waitMs: 10_000 },
  ];
  for (const step of steps) {
    if (step.signal) {
      try {
        process.kill(pid, step.signal);
      } catch {
        return; // gone
      }
    }
    if (await exited(pid, step.waitMs)) return;
  }
  throw new Error(`The embedded PostgreSQL of a previous run (pid ${pid}) does not stop`);
}

async function exited(pid: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * A process that outlives the app to stop its postmaster when the app is gone, however it went (SIGKILL, OOM
 * killer, a crash): it holds the read end of a pipe whose only write end is the app's, so the app's death is an
 * end-of-file there. A shell loop costs ~1 MB; a fast shutdown (SIGINT) finishes in-flight work cleanly, then
 * an immediate one follows if the server has not stopped within 30 s.
 */
export function startWatchdog(postmasterPid: number): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined; // no sh: the next start stops the orphan instead
  const script = [
    'read _ignored',
    'kill -INT "$1" 2>/dev/null || exit 0',
    'i=0',
    'while kill -0 "$1" 2>/dev/null && [ "$i" -lt 30 ]; do sleep 1; i=$((i + 1)); done',
    // Only while it still runs: once it is gone its pid may belong to another process.
    'if kill -0 "$1" 2>/dev/null; then kill -QUIT "$1"; fi',
    'exit 0',
  ].join('\n');
  // Detached: a Ctrl-C in the terminal reaches the app's process group only; the app stops the server itself.
  const watchdog = spawn('/bin/sh', ['-c', script, 'touchpoint-postgres-watchdog', String(postmasterPid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined);
  // Neither the process nor the pipe keeps the app's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
