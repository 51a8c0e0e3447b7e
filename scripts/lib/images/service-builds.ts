// Whether a service image needs compose's build at all. Even with every layer cached, that
// call cost 11 s of a 22 s `make start` on a running stack (buildx starts, sends each context,
// asks git for provenance, exports six images): most of the start's overhead over plain compose.
// A build's inputs are hashed here instead, and the hash is kept beside the image id it produced;
// the next start builds only a service whose inputs or image changed. The hash covers a superset
// of what the build reads (every file a .dockerignore might let through, the Dockerfile, the
// additional contexts, the build section, the ids of the images its args name), so a change is
// never missed; an over-wide set only costs a build that the layer cache makes short.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BuildSpec, ServiceModel } from '../compose.ts';
import { inspectImages } from '../docker/images.ts';
import { writeFileAtomic } from '../env.ts';
import { machineFiles } from '../state/files.ts';

const GLOB = /[*?[\\]/;

/**
 * Pure: the paths (relative to the context, '' = all of it) that can reach the build under this
 * .dockerignore text, and top-level names that cannot. An allow-list (`*`, then `!path` lines)
 * lets through only what its `!` lines name: each is read up to its first wildcard. A deny-list
 * without `!` lines keeps out the top-level names it spells exactly. Anything else: all of it.
 */
export function buildInputs(ignoreText: string): { roots: string[]; skip: string[] } {
  const lines = ignoreText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/^\/+/, ''));
  if (lines[0] === '*' || lines[0] === '**') {
    const roots = allowed.map((p) => {
      const glob = p.search(GLOB);
      const fixed = glob < 0 ? p : p.slice(0, glob);
      return glob < 0 ? fixed.replace(/\/+$/, '') : fixed.slice(0, fixed.lastIndexOf('/') + 1).replace(/\/+$/, '');
    });
    return roots.includes('') ? { roots: [''], skip: [] } : { roots: [...new Set(roots)].sort(), skip: [] };
  }
  if (allowed.length) return { roots: [''], skip: [] };
  return { roots: [''], skip: lines.filter((l) => !GLOB.test(l) && !l.replace(/^\/+|\/+$/g, '').includes('/')).map((l) => l.replace(/^\/+|\/+$/g, '')) };
}

/** Hashes the files under `root` of `dir` (names, exec bits, contents) into `h`, leaving out top-level `skip`. */
function hashTree(h: ReturnType<typeof createHash>, dir: string, root: string, skip: string[]): void {
  const full = path.join(dir, root);
  if (!existsSync(full)) {
    h.update(`missing:${root}\0`);
    return;
  }
  const stat = statSync(full);
  if (!stat.isDirectory()) {
    h.update(`${root}\0${stat.mode & 0o111 ? 'x' : '-'}\0`)
      .update(readFileSync(full))
      .update('\0');
    return;
  }
  for (const entry of readdirSync(full).sort()) {
    if (root === '' && skip.includes(entry)) continue;
    hashTree(h, dir, path.posix.join(root, entry), []);
  }
}

/** The .dockerignore BuildKit uses: `<Dockerfile>.dockerignore` beside the Dockerfile first, else the context's. */
function ignoreText(spec: BuildSpec): string {
  const dockerfile = path.resolve(spec.context, spec.dockerfile ?? 'Dockerfile');
  for (const file of [`${dockerfile}.dockerignore`, path.join(spec.context, '.dockerignore')]) if (existsSync(file)) return readFileSync(file, 'utf8');
  return '';
}

/** Image references among a build's args (`PYTHON_IMAGE: galaxy-offline/python:3.13`): their ids are inputs too. */
export function argImages(spec: BuildSpec): string[] {
  return Object.values(spec.args ?? {}).filter((v) => /^[a-z0-9][a-z0-9._/-]*(:[\w.-]+)?(@sha256:[a-f0-9]+)?$/.test(v) && /[/:]/.test(v));
}

/** JSON with object keys sorted at every level: the same spec always hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The hash of everything the build of `spec` reads, given the ids of the images its args name. */
export function buildKey(spec: BuildSpec, imageIds: Record<string, string>): string {
  const h = createHash('sha256').update(stableJson(spec)).update('\0');
  h.update(readFileSync(path.resolve(spec.context, spec.dockerfile ?? 'Dockerfile')));
  const { roots, skip } = buildInputs(ignoreText(spec));
  for (const root of roots) hashTree(h, spec.context, root, skip);
  for (const [name, dir] of Object.entries(spec.additional_contexts ?? {}).sort()) {
    h.update(`context:${name}\0`);
    hashTree(h, dir, '', []);
  }
  for (const image of argImages(spec)) h.update(`${image}=${imageIds[image] ?? 'missing'}\0`);
  return h.digest('hex');
}

/** Image reference -> the hash of the inputs it was built from, and the id that build produced. */
type BuildRecord = Record<string, { key: string; id: string }>;

function readRecord(): BuildRecord {
  try {
    return JSON.parse(readFileSync(machineFiles.serviceBuilds, 'utf8')) as BuildRecord;
  } catch {
    return {}; // no record: every image is built once, as before
  }
}

/** Ids of the named images that exist (one image inspect through the Docker client). */
async function imageIds(refs: string[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  if (!refs.length) return ids;
  for (const image of await inspectImages([...new Set(refs)])) for (const tag of image.RepoTags ?? []) ids[tag] = image.Id;
  return ids;
}

export interface BuildCheck {
  /** Services whose image is missing, or was built from other inputs (or by someone else). */
  stale: string[];
  /** After a build of `stale`: records each image's new id under its inputs' hash. */
  record(): Promise<void>;
}

/** Which of `services` (each with a build section and an image name) need a build. */
export async function checkServiceBuilds(services: ServiceModel[]): Promise<BuildCheck> {
  const built = services.filter((s) => s.buildSpec && s.image);
  const ids = await imageIds(built.flatMap((s) => [s.image as string, ...argImages(s.buildSpec as BuildSpec)]));
  const keys = new Map(built.map((s) => [s.name, buildKey(s.buildSpec as BuildSpec, ids)]));
  const record = readRecord();
  const stale = services
    .filter((s) => {
      const kept = s.image ? record[s.image] : undefined;
      return !kept || !ids[s.image as string] || kept.id !== ids[s.image as string] || kept.key !== keys.get(s.name);
    })
    .map((s) => s.name);
  return {
    stale,
    async record() {
      const after = await imageIds(built.map((s) => s.image as string));
      // Read again: another start may have recorded its own builds meanwhile.
      const next = readRecord();
      for (const s of built) {
        const id = after[s.image as string];
        if (id && stale.includes(s.name)) next[s.image as string] = { key: keys.get(s.name) as string, id };
      }
      mkdirSync(path.dirname(machineFiles.serviceBuilds), { recursive: true });
      writeFileAtomic(machineFiles.serviceBuilds, `${JSON.stringify(next, null, 2)}\n`, 0o600);
    },
  };
}
