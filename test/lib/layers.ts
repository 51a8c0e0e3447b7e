// The import rules between the top-level folders, in one place: the unit test reads them against
// the import lines (test/unit/layers.test.ts), `make test`'s checks against dpdm's resolved graph.
//
//   scripts/       imports only scripts/ (never bench/ or test/, so never the harness);
//                  scripts/lib never an entry point; scripts/lib/discovery/ nothing outside itself
//   test/harness/  what bench/ and the tests share (throwaway stacks, load, a busy machine, the
//                  watcher, discovery fixtures): imports only test/harness/ and scripts/lib/
//   bench/         imports bench/, test/harness/ and scripts/lib/, never the rest of test/
// Under test/ a reference service may be named; bench/ chooses its targets from compose labels.
import path from 'node:path';

const norm = (file: string) => file.split(path.sep).join('/');
const inside = (file: string, dir: string) => norm(file).startsWith(`${dir}/`);

/** Why an import of `to` from `from` (both relative to the project root) breaks a layer; undefined when it is allowed. */
export function layerViolation(from: string, to: string): string | undefined {
  const top = norm(to).split('/')[0];
  if (!['scripts', 'bench', 'test', 'services'].includes(top)) return undefined; // packages, node: builtins
  if (inside(from, 'scripts') && !inside(to, 'scripts')) return `scripts/ never imports ${inside(to, 'test/harness') ? 'the harness' : `${top}/`}`;
  if (inside(from, 'scripts/lib/discovery') && !inside(to, 'scripts/lib/discovery')) return 'discovery imports nothing from outside its folder';
  if (inside(from, 'scripts/lib') && !inside(to, 'scripts/lib')) return 'scripts/lib never imports an entry point';
  if (inside(from, 'test/harness') && !inside(to, 'test/harness') && !inside(to, 'scripts/lib'))
    return 'the harness imports only test/harness/ and scripts/lib/';
  if (inside(from, 'bench') && !inside(to, 'bench') && !inside(to, 'test/harness') && !inside(to, 'scripts/lib'))
    return 'bench/ imports only bench/, test/harness/ and scripts/lib/';
  return undefined;
}

/** Every broken rule in a graph of `file -> [imported files]`, as `from -> to: why` lines. */
export function layerViolations(graph: Record<string, string[]>): string[] {
  return Object.entries(graph).flatMap(([from, targets]) =>
    targets.flatMap((to) => {
      const why = layerViolation(from, to);
      return why ? [`${from} -> ${to}: ${why}`] : [];
    }),
  );
}
