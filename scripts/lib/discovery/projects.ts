// Project roots: the folder a service lives in is the nearest one holding a project marker
// (package.json, pyproject.toml, go.mod, pom.xml, a Dockerfile...). Rows found in code, Dockerfiles,
// compose files and manifests for the same root are one service. Also: the name a project gives
// itself, and folders that hold stale copies (backup, ARCHIVE, .tmp, *_restored).
import path from 'node:path';
import type { SourceFile } from './types.ts';

const MARKER =
  /^(package\.json|pyproject\.toml|setup\.py|requirements[\w.-]*\.txt|go\.mod|pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|[\w.-]+\.(csproj|fsproj)|Cargo\.toml|Gemfile|composer\.json|mix\.exs|Dockerfile|[\w.-]+\.dockerfile)$/i;

export function markerDirs(files: SourceFile[]): Set<string> {
  return new Set(files.filter((f) => !f.isTest && MARKER.test(f.base)).map((f) => f.dir));
}

/** The nearest folder at or above `dir` that holds a project marker, or null. */
export function projectRootOf(dir: string, markers: Set<string>): string | null {
  for (let d = dir; ; d = path.posix.dirname(d)) {
    if (markers.has(d)) return d;
    if (d === '.' || d === '' || d === '/') return null;
  }
}

/** The project's own name for itself, from its build file (package.json names are read elsewhere). */
export function projectNames(files: SourceFile[]): Map<string, string> {
  const names = new Map<string, string>();
  const set = (dir: string, name: string | undefined) => {
    if (name && !names.has(dir)) names.set(dir, name);
  };
  for (const f of files) {
    if (f.isTest) continue;
    if (f.base === 'go.mod')
      set(
        f.dir,
        /^module\s+(\S+)/m
          .exec(f.text)?.[1]
          .replace(/\/v\d+$/, '')
          .split('/')
          .pop(),
      );
    else if (/^settings\.gradle(\.kts)?$/.test(f.base)) set(f.dir, /rootProject\.name\s*=\s*['"]([^'"]+)['"]/.exec(f.text)?.[1]);
    else if (f.base === 'pyproject.toml') set(f.dir, /^\[(?:project|tool\.poetry)\][^[]*?^name\s*=\s*['"]([^'"]+)['"]/ms.exec(f.text)?.[1]);
    else if (f.base === 'pom.xml') {
      // The project's own artifactId: not its parent's, a dependency's or a plugin's.
      const own = f.text.replace(/<(parent|dependencies|dependencyManagement|build|plugins|profiles)>[\s\S]*?<\/\1>/g, '');
      set(f.dir, /<artifactId>\s*([\w.-]+)\s*<\/artifactId>/.exec(own)?.[1]);
    } else if (/\.(csproj|fsproj)$/.test(f.base)) set(f.dir, f.base.replace(/\.\w+$/, ''));
  }
  return names;
}

/** Folder names that say nothing about the service in them. */
export const GENERIC_DIR = /^(src|source|main|app|server|cmd|code|\..*|.*[-_]\d+)$/i;

/** The last meaningful folder name of `dir` (`src/cartservice/src` names "cartservice"), or null. */
export function folderName(dir: string): string | null {
  const parts = dir === '.' ? [] : dir.split('/');
  for (let i = parts.length - 1; i >= 0; i--) if (!GENERIC_DIR.test(parts[i])) return parts[i];
  return null;
}

// `.tmp/orders`, `backup/orders`, `ARCHIVE/orders-2023` (a copy folder above the project), or a
// project folder named as a copy (`orders_restored`, `orders.bak`, `copy-of-orders`).
const COPY_PARENT = /^(\.?tmp|\.?temp|\.?backups?|archived?|archives|\.?old|attic|trash|deprecated)$/i;
const COPY_SELF = /[-_.](restored|backup|bak|old|orig|copy)(?:[-_.]?\d+)?$|^copy[-_ ]of[-_ ]/i;

/** Whether the project at `dir` is a stale copy of another. */
export function isCopyDir(dir: string): boolean {
  const parts = dir === '.' ? [] : dir.split('/');
  return parts.some((p, i) => (i < parts.length - 1 && COPY_PARENT.test(p)) || COPY_SELF.test(p));
}

/** The name the copied service likely has: `orders_restored` and `orders-2023` are copies of orders. */
export function copiedName(dir: string): string {
  const base = path.posix.basename(dir);
  return base
    .replace(COPY_SELF, '')
    .replace(/^copy[-_ ]of[-_ ]/i, '')
    .replace(/[-_.]\d+$/, '');
}
