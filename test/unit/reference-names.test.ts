// The kit must run a stranger's system, so nothing outside services/ and test/ may know the
// reference system's service names: they come from the compose files at run time. This reads the
// names from docker-compose.yml and fails on any file of the kit's own code that spells one.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { FIGURES, type FigureSpec } from '../../scripts/lib/report/figures.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The kit's own code: entry points, shared logic, the bench and the Make/CI surface. */
const SCANNED = ['scripts', 'bench', 'Makefile', '.ci'];
/** Discovery describes foreign codebases; its vocabulary (postgres, redis, frontend) is not ours. */
const NOT_SCANNED = [path.join('scripts', 'lib', 'discovery'), path.join('bench', 'results')];
/**
 * The kit's own vocabulary may equal a service name: store kind ids (postgres, redis) and the
 * watcher (the kit's self-healer), its socket proxy and the log store, which run beside any system.
 * Profiled services (monitoring) are the kit's too; the reference system is the rest of the core.
 */
const KIT_NAMES = new Set(['postgres', 'redis', 'sqlite', 'volume', 'watcher', 'socket-proxy', 'log-store']);

/** Figure names in result files written before figures had ids: data the report must still read. */
const FORMER_NAMES = new Set(Object.values(FIGURES as Record<string, FigureSpec>).flatMap((spec) => spec.formerNames ?? []));

function files(entry: string): string[] {
  const full = path.join(root, entry);
  if (NOT_SCANNED.includes(entry)) return [];
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) return readdirSync(full).flatMap((name) => files(path.join(entry, name)));
  return /\.(ts|sh)$|^Makefile$|(^|\/)run$/.test(entry) ? [entry] : [];
}

export function referenceServiceNames(): string[] {
  const doc = YAML.parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { profiles?: string[] }> };
  return Object.entries(doc.services)
    .filter(([name, service]) => !service.profiles?.length && !KIT_NAMES.has(name))
    .map(([name]) => name);
}

/** Comment lines (`//`, and the inside of a block comment) are prose, even with `backticks`. */
const withoutCommentLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
    .join('\n');

/** Where the kit's code spells a service name as a word: in a string (a literal, a help example), or on a shell line. Comments are prose. */
export function namings(file: string, text: string, names: string[]): string[] {
  const word = new RegExp(`(?<![\\w./-])(${names.map((n) => n.replace(/-/g, '\\-')).join('|')})(?![\\w/-])`, 'g');
  const pieces = file.endsWith('.ts')
    ? [...withoutCommentLines(text).matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)]
        .map((m) => m[1] ?? m[2] ?? m[3])
        .filter((literal) => !FORMER_NAMES.has(literal))
    : text.split('\n').map((line) => line.replace(/(^|\s)#.*$/, ''));
  return pieces.flatMap((piece) => [...piece.matchAll(word)].map((m) => `${m[1]} in ${JSON.stringify(piece.slice(0, 80))}`));
}

test('the name finder sees strings and shell lines, not comments or parts of other names', () => {
  const names = ['backend', 'edge', 'memory-api'];
  const ts =
    "// at the edge\n/** `backend` */\nx = 'backend'\nexamples: ['make logs service=backend']\nconst v = 'BACKEND_VERSION galaxy/backend:1 memory-api-data edges';\n";
  assert.deepEqual(namings('a.ts', ts, names), ['backend in "backend"', 'backend in "make logs service=backend"']);
  assert.deepEqual(namings('a.sh', 'exec ./restart.sh edge # not backend\n', names), ['edge in "exec ./restart.sh edge"']);
});

test('no code outside services/ and test/ names a reference service', () => {
  const names = referenceServiceNames();
  assert.ok(names.length >= 5, `expected the reference services in docker-compose.yml, got ${names.join(', ')}`);
  const found = SCANNED.flatMap(files).flatMap((file) => namings(file, readFileSync(path.join(root, file), 'utf8'), names).map((hit) => `${file}:${hit}`));
  assert.deepEqual(found, []);
});
