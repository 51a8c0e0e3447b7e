// What the build makes (pure but for a folder listing, unit-tested): the entry points and where each bundle goes.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { kitRoot } from '../paths.ts';

/** Where run.sh finds the bundles, and the stamp whose time is the start of the last good build. */
export const buildDir = path.join(kitRoot, '.build');
export const stampFile = path.join(buildDir, '.stamp');

/** The entry points, relative to the kit: every scripts/*.ts and bench/main.ts (a path run.sh is given). */
export function entryPoints(root: string): string[] {
  const scripts = readdirSync(path.join(root, 'scripts')).filter((f) => f.endsWith('.ts'));
  return [...scripts.map((f) => `scripts/${f}`), 'bench/main.ts'].filter((f) => existsSync(path.join(root, f)));
}

/** The bundle run.sh starts for an entry (pure): `scripts/health.ts` -> `scripts/health.mjs`, two levels deep. */
export function bundlePath(entry: string): string {
  if (entry.split('/').length !== 2) throw new Error(`entry ${entry} is not one folder below the kit: paths.ts would not find the kit from its bundle`);
  return entry.replace(/\.ts$/, '.mjs');
}
