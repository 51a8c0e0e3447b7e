// Walks a source tree without following links or executing anything; reads only the text files
// the detectors need and skips dependency folders, virtual environments, build output and binaries.
import { lstatSync, readdirSync, readFileSync, existsSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { Language, SourceFile } from './types.ts';

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'dist',
  'build',
  'out',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.turbo',
  'coverage',
  '.cache',
  'bower_components',
  'vendor',
  'target',
  'obj',
  '.idea',
  '.vscode',
  '.gradle',
  '.terraform',
  'site-packages',
  '.run',
]);

/** Bigger files are generated or data, not hand-written service code. */
export const MAX_FILE_BYTES = 512 * 1024;

const BINARY_EXT = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'ico',
  'bmp',
  'svg',
  'pdf',
  'zip',
  'gz',
  'tgz',
  'bz2',
  'xz',
  '7z',
  'tar',
  'jar',
  'war',
  'class',
  'so',
  'dll',
  'exe',
  'dylib',
  'o',
  'a',
  'pyc',
  'pyo',
  'wasm',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'mp3',
  'mp4',
  'webm',
  'mov',
  'avi',
  'db',
  'sqlite',
  'sqlite3',
  'bin',
  'dat',
  'lock',
  'map',
  'min.js',
  'psd',
  'parquet',
  'pkl',
  'pt',
  'onnx',
  'npy',
]);

const LANG_BY_EXT: Record<string, Language> = {
  js: 'node',
  mjs: 'node',
  cjs: 'node',
  ts: 'node',
  mts: 'node',
  cts: 'node',
  jsx: 'node',
  tsx: 'node',
  py: 'python',
  sh: 'shell',
  bash: 'shell',
  go: 'go',
  cs: 'dotnet',
  fs: 'dotnet',
  java: 'java',
  kt: 'kotlin',
  rb: 'ruby',
  php: 'php',
  rs: 'rust',
  ex: 'elixir',
  exs: 'elixir',
  scala: 'scala',
  html: 'html',
  htm: 'html',
};

/** Text files read for their content (besides the languages above). */
const CONFIG_EXT = new Set(['json', 'yml', 'yaml', 'toml', 'ini', 'cfg', 'conf', 'env', 'txt', 'csproj', 'gradle', 'xml', 'properties']);
const CONFIG_NAMES =
  /^(dockerfile.*|.*\.conf\.(template|tmpl)|.*\.dockerfile|procfile|makefile|gemfile|pipfile|\.env(\..+)?|requirements.*\.txt|config\.ru|go\.mod|pom\.xml)$/i;
/** Documentation never defines a service; a port in a README is not a service port. */
const DOC_EXT = new Set(['md', 'markdown', 'rst', 'adoc']);

export interface WalkResult {
  files: SourceFile[];
  /** Every file seen (read or not), relative paths, for listings such as SQLite files. */
  seen: string[];
  skipped: Array<{ path: string; reason: string }>;
}

function extOf(base: string): string {
  const lower = base.toLowerCase();
  if (lower.endsWith('.min.js')) return 'min.js';
  const dot = lower.lastIndexOf('.');
  return dot > 0 ? lower.slice(dot + 1) : '';
}

function isVirtualEnv(dir: Buffer): boolean {
  return existsSync(joinBytes(dir, Buffer.from('pyvenv.cfg')));
}

const SLASH = Buffer.from('/');
const joinBytes = (dir: Buffer, name: Buffer) => Buffer.concat([dir, SLASH, name]);

/**
 * A file name as text. Names are bytes on Linux; one that is not UTF-8 is shown with its odd
 * bytes escaped (`caf\xe9.py`), and read through its bytes, so it is neither lost nor garbled.
 */
export function displayName(name: Buffer): string {
  const text = name.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(name)) return text;
  return [...name].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

const TEST_PATH = /(^|\/)(tests?|__tests__|spec|e2e|fixtures?)\/|(\.|_)(test|spec)\.[a-z]+$|(^|\/)test_[^/]+\.py$|(^|\/)conftest\.py$/;

function languageOf(ext: string, text: string): Language | null {
  if (LANG_BY_EXT[ext]) return LANG_BY_EXT[ext];
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!shebang) return null;
  const prog = path.basename(shebang[1]) === 'env' ? (shebang[2] ?? '') : path.basename(shebang[1]);
  if (/^(ba|da|z|k)?sh$/.test(prog)) return 'shell';
  if (/^python/.test(prog)) return 'python';
  if (/^(node|tsx|ts-node)$/.test(prog)) return 'node';
  return null;
}

export function walk(root: string): WalkResult {
  const files: SourceFile[] = [];
  const seen: string[] = [];
  const skipped: WalkResult['skipped'] = [];
  const stack: Array<{ rel: string; bytes: Buffer }> = [{ rel: '', bytes: Buffer.from(root) }];
  while (stack.length) {
    const { rel: relDir, bytes: dirBytes } = stack.pop() as { rel: string; bytes: Buffer };
    const absDir = path.join(root, relDir);
    let entries: Array<Dirent<Buffer>>;
    try {
      entries = readdirSync(dirBytes, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      skipped.push({ path: relDir || '.', reason: `unreadable folder (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      const name = displayName(entry.name);
      const bytes = joinBytes(dirBytes, entry.name);
      const rel = relDir ? `${relDir}/${name}` : name;
      // Links are not followed: they can loop or leave the tree.
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (SKIP_DIRS.has(name) || name.endsWith('.egg-info') || isVirtualEnv(bytes)) continue;
        stack.push({ rel, bytes });
        continue;
      }
      if (!entry.isFile()) continue;
      seen.push(rel);
      const base = name;
      const ext = extOf(base);
      if (BINARY_EXT.has(ext) || DOC_EXT.has(ext)) continue;
      const wanted = LANG_BY_EXT[ext] !== undefined || CONFIG_EXT.has(ext) || CONFIG_NAMES.test(base) || ext === '';
      if (!wanted) continue;
      const abs = path.join(absDir, base);
      let size: number;
      try {
        size = lstatSync(bytes).size;
      } catch (err) {
        skipped.push({ path: rel, reason: `unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
        continue;
      }
      if (size > MAX_FILE_BYTES) {
        skipped.push({ path: rel, reason: `larger than ${MAX_FILE_BYTES / 1024} KiB` });
        continue;
      }
      let buffer: Buffer;
      try {
        buffer = readFileSync(bytes);
      } catch (err) {
        skipped.push({ path: rel, reason: `unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
        continue;
      }
      if (buffer.subarray(0, 8000).includes(0)) continue;
      const text = buffer.toString('utf8');
      const language = languageOf(ext, text);
      // Files without an extension matter only as scripts or known config names.
      if (ext === '' && !language && !CONFIG_NAMES.test(base)) continue;
      files.push({
        rel,
        abs,
        dir: relDir || '.',
        base,
        ext,
        size,
        text,
        language,
        isTest: TEST_PATH.test(rel),
      });
    }
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  seen.sort();
  return { files, seen, skipped };
}
