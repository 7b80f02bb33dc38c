import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

/** Every source file under src/ (tests and test helpers left out). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const folderOf = (path: string): string => relative(SRC, path).split(sep)[0];

/** Which feature folder imports which, with one file that does it for each pair. */
function folderImports(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/(?:from|import) '(\.[^']+)'/g)) {
      const to = folderOf(resolve(dirname(file), target));
      if (to === from || to.endsWith('.ts') || from.endsWith('.ts') || to.startsWith('..')) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(SRC, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

describe('the layout', () => {
  it('has no import cycles between feature folders', () => {
    const graph = folderImports();
    const cycles: string[] = [];
    const walk = (start: string, at: string, path: string[]) => {
      for (const [next, file] of graph.get(at) ?? []) {
        if (next === start) cycles.push([...path, `${next} (${file})`].join(' -> '));
        else if (next > start && !path.includes(next)) walk(start, next, [...path, next]);
      }
    };
    for (const folder of graph.keys()) walk(folder, folder, [folder]);
    expect(cycles).toEqual([]);
  });

  it('keeps the trading core free of the folders around it', () => {
    const graph = folderImports();
    expect([...(graph.get('trading')?.keys() ?? [])].sort()).toEqual(['common', 'engine']);
    expect([...(graph.get('engine')?.keys() ?? [])]).toEqual([]);
  });
});
