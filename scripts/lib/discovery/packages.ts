// Declared dependencies: package.json (Node) and requirements.txt / pyproject.toml (Python).
import path from 'node:path';
import type { SourceFile } from './types.ts';

export interface NodePackage {
  file: string;
  dir: string;
  name: string | null;
  start: string | null;
  main: string | null;
  dependencies: string[];
}

export function readPackage(file: SourceFile): NodePackage | null {
  try {
    const pkg = JSON.parse(file.text) as { name?: string; main?: string; scripts?: Record<string, string>; dependencies?: Record<string, string> };
    const start = pkg.scripts?.start ?? pkg.scripts?.serve ?? null;
    return {
      file: file.rel,
      dir: file.dir,
      name: typeof pkg.name === 'string' ? pkg.name : null,
      start: typeof start === 'string' ? start : null,
      main: typeof pkg.main === 'string' ? pkg.main : null,
      dependencies: Object.keys(pkg.dependencies ?? {}).sort(),
    };
  } catch {
    return null;
  }
}

/** Requirement names from requirements*.txt or pyproject.toml's `dependencies = [...]`. */
export function readRequirements(file: SourceFile): string[] {
  const names = new Set<string>();
  if (file.base === 'pyproject.toml') {
    const block = /^\s*dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(file.text)?.[1] ?? '';
    for (const m of block.matchAll(/['"]([A-Za-z0-9_.-]+)/g)) names.add(m[1].toLowerCase());
  } else {
    for (const line of file.text.split('\n')) {
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)/.exec(line);
      if (m && !line.trim().startsWith('-')) names.add(m[1].toLowerCase());
    }
  }
  return [...names].sort();
}

/** The nearest ancestor folder (within the root) that holds one of `byDir`'s entries. */
export function nearest<T>(dir: string, byDir: Map<string, T>): T | null {
  let d = dir;
  for (;;) {
    const hit = byDir.get(d);
    if (hit !== undefined) return hit;
    if (d === '.' || d === '') return null;
    d = path.posix.dirname(d);
  }
}
