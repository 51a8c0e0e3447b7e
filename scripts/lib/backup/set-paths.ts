// A backup set is untrusted input: it may come from an offsite copy, another machine or an
// attacker who only needed the public age key. Every name the manifest gives is checked here
// before anything is read, decrypted or written, so a set can never reach outside its folder.
import { lstatSync } from 'node:fs';
import path from 'node:path';

/** Names the kit itself writes (`postgres.dump`, `config/.env.age`): nothing else is needed. */
const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

/** Why `value` is not a safe path inside a set, or undefined when it is one. */
export function setPathProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'a path is missing';
  const shown = JSON.stringify(value).slice(0, 80);
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value)) return `${shown} is absolute`;
  const segments = value.split('/');
  if (segments.some((s) => s === '..')) return `${shown} leaves the set folder ('..')`;
  if (segments.some((s) => s === '' || s === '.' || !SEGMENT.test(s))) return `${shown} is not a plain relative path (letters, digits, '.', '_', '-' and '/')`;
  return undefined;
}

/**
 * Why the file at `relative` under `dir` must not be read, or undefined: every folder on the way
 * and the file itself are what they claim (no symbolic link redirects a read elsewhere), and the
 * end is a regular file. Hard links are allowed: an offsite copy made with `rsync --link-dest`
 * shares inodes between sets, and a hard link is read only after its checksum is checked anyway.
 */
export function setFileProblem(dir: string, relative: string): string | undefined {
  const segments = relative.split('/');
  let current = dir;
  for (const [i, segment] of segments.entries()) {
    current = path.join(current, segment);
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      return 'missing';
    }
    if (stat.isSymbolicLink()) return `a symbolic link (${segments.slice(0, i + 1).join('/')})`;
    const last = i === segments.length - 1;
    if (last ? !stat.isFile() : !stat.isDirectory()) return last ? 'not a regular file' : `${segments.slice(0, i + 1).join('/')} is not a folder`;
  }
  return undefined;
}

/** A service name as compose allows it; the manifest's service names reach messages and lookups. */
export function isServiceName(value: unknown): value is string {
  return typeof value === 'string' && /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(value);
}
