// The compose model without running compose's `config` on every command: that call starts compose,
// which reads and interpolates every file (half a second, more on a busy machine), for an answer
// that changes only when its inputs do. The inputs are hashed, and the model is kept under the hash:
// - the compose files' paths and text, and .env's text (compose interpolates it);
// - the context: mode, profiles, and the variables handed to compose on top of .env;
// - the variables of this process that the files name (`${NAME}`, `$NAME`) and any COMPOSE_*,
//   since the process environment wins over .env in compose's interpolation;
// - the text of the functions that turn compose's JSON into the model, so a model of another
//   shape (a field added to compose.ts) is never read from an older cache.
// Any change to any of them is another key: a miss, never a stale model. Files that `include` or
// `extends` others are not cached at all (the key would not see the other files).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ComposeContext, composeEnv, composeFiles } from './docker/client.ts';
import { writeFileAtomic } from './env.ts';
import { envFile } from './paths.ts';
import { machineFiles } from './state/files.ts';

export interface ModelInputs {
  files: Array<{ path: string; text: string }>;
  envText: string;
  ctx: ComposeContext;
  /** The environment compose gets (this process's, the context's on top). */
  env: NodeJS.ProcessEnv;
  /** The source text of the parser (Function.prototype.toString of each function it uses). */
  parser: string;
}

/** Names a compose file interpolates: `${NAME}`, `${NAME:-default}`, `$NAME`; `$$` is a literal dollar. */
export function interpolatedNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    const name = m[2] ?? m[3];
    if (name) names.add(name);
  }
  return [...names].sort();
}

/** Pure: the cache key of a model read from these inputs (sha256, hex). */
export function modelCacheKey(inputs: ModelInputs): string {
  const named = new Set(inputs.files.flatMap((f) => interpolatedNames(f.text)));
  const env = Object.entries(inputs.env)
    .filter(([name]) => named.has(name) || name.startsWith('COMPOSE_'))
    .sort(([a], [b]) => a.localeCompare(b));
  const ctx = {
    mode: inputs.ctx.mode,
    target: inputs.ctx.target,
    profiles: inputs.ctx.profiles,
    env: Object.entries(inputs.ctx.env).sort(([a], [b]) => a.localeCompare(b)),
  };
  return createHash('sha256')
    .update(JSON.stringify({ files: inputs.files, envText: inputs.envText, ctx, env, parser: inputs.parser }))
    .digest('hex');
}

/** How many models the cache keeps (the user's stack, a test's or a bench's copy, another mode). */
const KEPT = 8;

interface CacheFile {
  entries: Array<{ key: string; model: unknown }>;
}

function readCache(file: string): CacheFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return Array.isArray(parsed.entries) ? parsed : { entries: [] };
  } catch {
    // Missing, or cut short by a full disk: the cache is only ever a shortcut.
    return { entries: [] };
  }
}

/** The model under `key` in `file`, or `read()`'s answer, then kept there (temp then rename). */
export async function cachedByKey<T>(file: string, key: string, read: () => Promise<T>): Promise<T> {
  const hit = readCache(file).entries.find((e) => e.key === key);
  if (hit) return hit.model as T;
  const model = await read();
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Read again: another command may have added its own model meanwhile.
    const entries = [{ key, model }, ...readCache(file).entries.filter((e) => e.key !== key)].slice(0, KEPT);
    writeFileAtomic(file, `${JSON.stringify({ entries } satisfies CacheFile)}\n`, 0o600);
  } catch {
    // A read-only checkout still works, only slower.
  }
  return model;
}

/**
 * The compose model of this context, from the cache when nothing it depends on changed.
 * `parsers`: the functions that build the model from compose's JSON, and any setting they are
 * given (their text is in the key).
 */
export async function cachedComposeModel<T>(ctx: ComposeContext, parsers: Array<((...args: never[]) => unknown) | string>, read: () => Promise<T>): Promise<T> {
  const key = modelKeyFor(ctx, parsers);
  return key === undefined ? read() : cachedByKey(machineFiles.composeModels, key, read);
}

/** The key of `ctx`'s model as the inputs read now; undefined when it is not cached (see above). */
export function modelKeyFor(ctx: ComposeContext, parsers: Array<((...args: never[]) => unknown) | string>): string | undefined {
  const paths = composeFiles(ctx.mode, undefined, ctx.target);
  // A missing file is compose's to report: no cache, the read says what is wrong.
  if (!paths.every((f) => existsSync(f))) return undefined;
  const files = paths.map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
  // Files that pull in other files (include, extends) make the model depend on more than the key sees.
  if (files.some((f) => /^\s*(include|extends):/m.test(f.text))) return undefined;
  return modelCacheKey({
    files,
    envText: existsSync(envFile) ? readFileSync(envFile, 'utf8') : '',
    ctx,
    env: composeEnv(ctx),
    parser: parsers.map((p) => p.toString()).join('\n'),
  });
}
