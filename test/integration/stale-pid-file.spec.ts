import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clearStalePidFile, isAlive } from '../../src/database/native/process-guard.js';

/**
 * A SIGKILLed postmaster whose app is gone too is a zombie until init reaps it: kill(0) still succeeds on it, so
 * PostgreSQL took its postmaster.pid for a running server and refused to start ("lock file already exists"), which
 * failed a CI run of native-lifecycle.spec. The start clears such a file; a running one's is kept.
 */
describe('a postmaster.pid left by a dead postmaster', () => {
  let dir: string;
  const sleepers: Array<{ kill: () => boolean }> = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-pidfile-'));
  });
  afterEach(async () => {
    for (const sleeper of sleepers.splice(0)) sleeper.kill();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * A process that stays a zombie, and its pid: it exits only once its parent has become `sleep` (exec), which never
   * waits for a child, so nothing reaps it until the parent is killed. (Exiting before the exec raced the shell,
   * which could reap it first.)
   */
  function zombie(): Promise<number> {
    const script = 'p=$$; (until [ "$(cat /proc/$p/comm)" = sleep ]; do sleep 0.01; done) & echo $!; exec sleep 300';
    const parent = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    sleepers.push(parent);
    return new Promise((resolve) =>
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
  }

  const pidFile = (pid: number) => writeFile(path.join(dir, 'postmaster.pid'), `${pid}\n${dir}\n1764000000\n5432\n`);
  const exists = () =>
    readFile(path.join(dir, 'postmaster.pid')).then(
      () => true,
      () => false,
    );

  it('removes the file of a zombie postmaster (kill(0) succeeds on it, it runs nothing)', async () => {
    const pid = await zombie();
    // The child is a zombie once it has exited: kill(0) succeeds, /proc says Z.
    for (const deadline = Date.now() + 60_000; isAlive(pid) && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(isAlive(pid)).toBe(false);
    expect(() => process.kill(pid, 0)).not.toThrow();
    await pidFile(pid);
    await clearStalePidFile(dir);
    expect(await exists()).toBe(false);
  });

  it('keeps the file of a running process, and does nothing without one', async () => {
    const running = spawn('sleep', ['300'], { stdio: 'ignore' });
    sleepers.push(running);
    await pidFile(running.pid!);
    await clearStalePidFile(dir);
    expect(await exists()).toBe(true);
    await rm(path.join(dir, 'postmaster.pid'));
    await expect(clearStalePidFile(dir)).resolves.toBeUndefined();
  });
});
