// Shell scripts: which ones start or stop things, and what they launch (resolved to scanned files).
import path from 'node:path';
import { parseLaunches, type Launch } from './commands.ts';
import { codeOf, lineAt } from './text.ts';
import type { SourceFile } from './types.ts';

export interface ShellFacts {
  file: string;
  launches: Array<Launch & { line: number; resolved: string | null }>;
  isStartStop: boolean;
}

const START_NAME = /(^|[-_.])(start|stop|run|launch|serve|restart|boot|up|dev|daemon|all)([-_.]|$)/i;

/**
 * A path as written in a command (relative to the script's folder, to a `cd` target, to the root,
 * or an absolute path from someone's machine) mapped to a scanned file by its longest known suffix.
 */
export function resolveTarget(target: string, fromDir: string, cwd: string | null, known: Set<string>): string | null {
  const clean = target.replace(/^\$\{?(?:SCRIPT_DIR|DIR|ROOT|BASE_DIR|HERE)\}?\//, '').replace(/^"?\$\(dirname\s+"?\$0"?\)"?\//, '');
  const tries = [cwd ? path.posix.join(fromDir, cwd, clean) : null, path.posix.join(fromDir, clean), clean]
    .filter((t): t is string => t !== null)
    .map((t) => path.posix.normalize(t));
  for (const t of tries) if (known.has(t)) return t;
  const parts = clean.split('/').filter(Boolean);
  for (let i = 0; i < parts.length - 1; i++) {
    const suffix = parts.slice(i).join('/');
    const hits = [...known].filter((k) => k === suffix || k.endsWith(`/${suffix}`));
    if (hits.length === 1) return hits[0];
  }
  return null;
}

export function analyzeShell(file: SourceFile, known: Set<string>): ShellFacts {
  const code = codeOf(file);
  const launches: ShellFacts['launches'] = [];
  let cwd: string | null = null;
  let offset = 0;
  for (const rawLine of code.split('\n')) {
    const line = rawLine.trim();
    const lineNo = lineAt(code, offset);
    offset += rawLine.length + 1;
    if (!line) continue;
    const cd = /^cd\s+("[^"]+"|'[^']+'|\S+)/.exec(line);
    if (cd) {
      const dir = cd[1].replace(/^['"]|['"]$/g, '').replace(/^\$\(dirname\s+"?\$0"?\)\/?|^\$\{?(?:SCRIPT_DIR|DIR|ROOT|HERE)\}?\/?/, '');
      cwd = dir && !dir.startsWith('$') ? dir : null;
    }
    // `(cd api && npm start) &`: a cd on the same line applies to what follows it.
    const lineCd = /\bcd\s+("[^"]+"|'[^']+'|[^\s;&|)]+)\s*&&/.exec(line)?.[1]?.replace(/^['"]|['"]$/g, '');
    const here = lineCd && !lineCd.startsWith('$') ? (cwd ? path.posix.join(cwd, lineCd) : lineCd) : cwd;
    for (const launch of parseLaunches(line)) {
      let resolved: string | null = null;
      if (launch.target && launch.kind !== 'http.server') {
        resolved = resolveTarget(launch.target, file.dir === '.' ? '' : file.dir, here, known);
      } else if (launch.kind === 'npm') {
        resolved = resolveTarget(path.posix.join(launch.target ?? '.', 'package.json'), file.dir === '.' ? '' : file.dir, here, known);
      }
      launches.push({ ...launch, line: lineNo, resolved });
    }
  }
  // A start/stop script starts or stops servers; a wrapper that runs one command (tsx x.ts) is not.
  const strong = launches.some((l) => ['asgi', 'wsgi', 'http.server', 'compose', 'docker', 'stop', 'frontend-dev', 'npm'].includes(l.kind) || l.background);
  const named = launches.length > 0 && START_NAME.test(file.base.replace(/\.\w+$/, ''));
  return { file: file.rel, launches, isStartStop: strong || named };
}
