import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from './app-config.js';

/** The file under DATA_DIR that keeps a generated admin key across restarts. */
export const ADMIN_KEY_FILE = 'admin-key';

export interface KeptAdminKey {
  config: AppConfig;
  /** What to tell the operator at start; undefined when a key was configured. */
  notice?: string;
}

function readKept(file: string): string | undefined {
  try {
    const key = readFileSync(file, 'utf8').trim();
    return key.length >= 16 ? key : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Outside production a server started without ADMIN_API_KEY generates one (loadConfig). A key that changed at
 * every restart would sign the marketer out of the browser each time and leave `npm run demo:load` guessing, so
 * the first one is kept in DATA_DIR/admin-key (mode 0600, beside the embedded database, which is as secret) and
 * read back at the next start. A configured key is never written anywhere. `wx`: of two instances starting on
 * one DATA_DIR, the second reads the first one's key instead of overwriting it.
 */
export function keepGeneratedAdminKey(config: AppConfig): KeptAdminKey {
  if (!config.adminApiKeyGenerated) return { config };
  const file = path.join(config.dataDir, ADMIN_KEY_FILE);
  const kept = readKept(file);
  if (kept) {
    return {
      config: { ...config, adminApiKeys: [kept] },
      notice: `ADMIN_API_KEY is not set; using the key kept in ${file}: ${kept}`,
    };
  }
  const generated = config.adminApiKeys[0];
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readKept(file) : undefined;
    if (raced) return keepGeneratedAdminKey(config);
    return {
      config,
      notice: `ADMIN_API_KEY is not set; generated one for this run (could not keep it in ${file}: ${(error as Error).message}): ${generated}`,
    };
  }
  return {
    config,
    notice: `ADMIN_API_KEY is not set; generated one and kept it in ${file} for the next starts: ${generated}`,
  };
}
