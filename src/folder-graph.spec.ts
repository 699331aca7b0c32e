import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folders of src/ are the features and their Nest modules: a feature may build on another only one way
 * round, so each can be read (and later split out) without the rest. `common` is what every feature uses and
 * knows none of them; `config` and `database` are the infrastructure under everything.
 */
const SRC = dirname(fileURLToPath(import.meta.url));
const INFRASTRUCTURE = new Set(['common', 'config', 'database']);
const IMPORT = /\bfrom\s+'\.\.\/([a-z-]+)\/[^']*'|\bimport\(\s*'\.\.\/([a-z-]+)\/[^']*'\s*\)/g;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** folder → the other folders its files import, each with one file that does (for the failure message). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const path = relative(SRC, file);
    const folder = path.split('/')[0];
    if (folder === path) continue; // main.ts, app.module.ts: the root wires everything
    const edges = graph.get(folder) ?? new Map<string, string>();
    graph.set(folder, edges);
    // Only a file directly in a folder reaches a sibling with '../x/'; deeper files (migrations) stay inside.
    if (path.split('/').length !== 2) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = match[1] ?? match[2];
      if (target !== folder && !edges.has(target)) edges.set(target, path);
    }
  }
  return graph;
}

/** Every cycle between folders, each once, as the path that closes it. */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found = new Map<string, string[]>();
  const walk = (path: string[]): void => {
    const last = path[path.length - 1];
    for (const next of graph.get(last)?.keys() ?? []) {
      const seen = path.indexOf(next);
      if (seen >= 0) {
        const cycle = path.slice(seen);
        found.set([...cycle].sort().join(','), [...cycle, next]);
      } else {
        walk([...path, next]);
      }
    }
  };
  for (const folder of graph.keys()) walk([folder]);
  return [...found.values()];
}

describe('folders of src/', () => {
  const graph = folderGraph();

  it('import one another without a cycle', () => {
    const described = cycles(graph).map((cycle) =>
      cycle
        .slice(0, -1)
        .map((folder, index) => `${folder} -> ${cycle[index + 1]} (${graph.get(folder)?.get(cycle[index + 1])})`)
        .join(', '),
    );
    expect(described).toEqual([]);
  });

  it('keep common/, config/ and database/ free of features', () => {
    const reaches = [...INFRASTRUCTURE].flatMap((folder) =>
      [...(graph.get(folder) ?? new Map<string, string>())]
        .filter(([target]) => !INFRASTRUCTURE.has(target))
        .map(([target, file]) => `${folder} -> ${target} (${file})`),
    );
    expect(reaches).toEqual([]);
  });

  it('each have a Nest module when they hold providers or controllers', () => {
    const nest = /@(Injectable|Controller)\(/;
    const withoutModule = [...graph.keys()].filter(
      (folder) =>
        sourceFiles(join(SRC, folder)).some((file) => nest.test(readFileSync(file, 'utf8'))) &&
        !readdirSync(join(SRC, folder)).some((name) => name.endsWith('.module.ts')),
    );
    expect(withoutModule).toEqual([]);
  });

  it('are all seen by the scan (it matches the way imports are written)', () => {
    expect(graph.get('contacts')?.has('common')).toBe(true);
    expect(graph.get('delivery')?.has('sequences')).toBe(true);
  });
});
