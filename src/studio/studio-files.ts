import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface StudioAsset {
  type: string;
  body: Buffer;
}

/**
 * The studio as `npm run build` left it (Vite's output: index.html and content-hashed assets), read once at
 * start. `index` is null when the studio was not built, so a server built with `tsc` alone still starts and says so.
 */
export class StudioFiles {
  readonly index: string | null;
  private readonly assets = new Map<string, StudioAsset>();

  constructor(directory: string) {
    const indexPath = path.join(directory, 'index.html');
    this.index = existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : null;
    const assetsDir = path.join(directory, 'assets');
    if (!existsSync(assetsDir)) return;
    for (const name of readdirSync(assetsDir)) {
      const type = TYPES[path.extname(name)];
      if (type) this.assets.set(name, { type, body: readFileSync(path.join(assetsDir, name)) });
    }
  }

  asset(name: string): StudioAsset | undefined {
    return this.assets.get(name);
  }
}
