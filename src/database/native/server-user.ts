import { execFile } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The OS account the PostgreSQL server runs as, when it is not this process's own. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

const NAME = 'postgres';

/**
 * PostgreSQL refuses to run as root. Started as root (a container, CI), the server runs as the `postgres`
 * account, created (a system account without a home or a shell) when the machine has none; as any other user it
 * runs as that user and this is undefined.
 */
export async function serverUser(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookup();
  if (existing) return existing;
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', NAME]);
  } catch (error) {
    throw new Error(
      `Running as root, the embedded PostgreSQL needs an account to run as (PostgreSQL refuses root), and creating ` +
        `"${NAME}" failed: ${(error as Error).message.trim()}. Create it, run Touchpoint as a normal user, or set DATABASE_URL`,
      { cause: error },
    );
  }
  const created = await lookup();
  if (!created) throw new Error(`The account "${NAME}" was created but cannot be found`);
  return created;
}

async function lookup(): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', NAME]), run('id', ['-g', NAME])]);
    return { name: NAME, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * The server account must be able to pass through DATA_DIR to reach its cluster inside it (DATA_DIR is often
 * 0700, e.g. from mktemp). Only the search bit is added for others: they can open a file whose name they know and
 * whose own mode allows it, and list nothing; the password file stays 0600 and the cluster 0700.
 */
export async function letServerThrough(directory: string): Promise<void> {
  const { mode } = await stat(directory);
  if ((mode & 0o001) === 0) await chmod(directory, (mode & 0o7777) | 0o001);
}
