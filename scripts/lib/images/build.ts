// Builds the offline image set, skipping every image whose recipe hash label is already current.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildImage, inspectImages } from '../docker/images.ts';
import { OperationError, processFailure } from '../errors.ts';
import pLimit from 'p-limit';
import { HASH_LABEL, baseRecipeHash, buildBaseImage, readBaseRecipe } from './base.ts';
import { NPM_TARBALL_CONTEXT, npmTarballContext, readPin } from './npm-tarball.ts';
import { type ImageManifest, loadManifest, offlineDir, selectImages } from './manifest.ts';
import { formatDuration, green, info } from '../output.ts';
import { machineFiles } from '../state/files.ts';
import { takeLock } from '../state/lock.ts';

/**
 * Stand-ins build side by side: each is apt's download, unpack and configure, which wait on the
 * mirror and the disk as much as on the 2 cores. Measured on this machine: the ten stack images
 * besides node took 92 s one after another and 59 s four at a time; all eleven took 67 s three at
 * a time. Three keeps the third build's apt waits filled without a fourth unpack fighting for the
 * cores.
 */
const BUILDS_AT_ONCE = 3;

export interface BuildReport {
  name: string;
  tag: string;
  action: 'built' | 'up to date';
  seconds: number;
}

interface Current {
  id: string;
  hash?: string;
}

/** Hash of a folder's files (names, exec bits, contents) plus the base it builds on. */
export function folderHash(dir: string, baseId: string): string {
  const h = createHash('sha256').update(baseId).update('\0');
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel)).sort()) {
      const relPath = path.posix.join(rel, entry);
      const stat = statSync(path.join(dir, relPath));
      if (stat.isDirectory()) walk(relPath);
      else
        h.update(relPath)
          .update(stat.mode & 0o111 ? 'x' : '-')
          .update(readFileSync(path.join(dir, relPath)))
          .update('\0');
    }
  };
  walk('');
  return h.digest('hex').slice(0, 16);
}

/** Pure: an image needs building when it is missing or carries another hash. */
export function needsBuild(current: Current | undefined, wantedHash: string): boolean {
  return !current || current.hash !== wantedHash;
}

/** The images present among `tags`, with the hash label each carries. */
async function inspect(tags: string[]): Promise<Map<string, Current>> {
  const found = new Map<string, Current>();
  for (const image of await inspectImages(tags)) {
    for (const tag of image.RepoTags ?? []) found.set(tag, { id: image.Id, hash: image.Config?.Labels?.[HASH_LABEL] });
  }
  return found;
}

export interface BuildOptions {
  /** Print only images that were (re)built: for callers like `make start` that just need the set current. */
  quiet?: boolean;
}

function report(r: BuildReport, options: BuildOptions): BuildReport {
  if (options.quiet && r.action === 'up to date') return r;
  const what = r.action === 'built' ? green('built') : 'up to date';
  info(`image ${r.name.padEnd(17)} ${r.tag.padEnd(38)} ${what} (${formatDuration(r.seconds)})`);
  return r;
}

async function buildStandIn(name: string, tag: string, dir: string, baseTag: string, hash: string): Promise<void> {
  const pin = readPin(dir);
  const contexts: Record<string, string> = pin ? { [NPM_TARBALL_CONTEXT]: await npmTarballContext(pin) } : {};
  const out = await buildImage(dir, tag, { buildArgs: { BASE_IMAGE: baseTag }, labels: { [HASH_LABEL]: hash }, contexts, timeout: '30m' });
  if (out.exitCode !== 0) throw processFailure(`building ${tag} from images/offline/${name} failed (exit ${out.exitCode})`, `${out.stdout}\n${out.stderr}`);
}

/** Every image present with its wanted hash: then nothing is built and no lock is needed. */
function allCurrent(manifest: ImageManifest, names: string[], offlineDir: string, current: Map<string, Current>): boolean {
  const base = current.get(manifest.base.tag);
  if (!base || needsBuild(base, baseRecipeHash(readBaseRecipe(manifest.base.suite)))) return false;
  return names.every((n) => !needsBuild(current.get(manifest.images[n].offline), folderHash(path.join(offlineDir, n), base.id)));
}

/**
 * One builder at a time per machine (make images, make start and tests of several projects may
 * overlap): the debootstrap folder is shared and two builders would only redo each other's work.
 * A second builder waits up to 30 minutes.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = await takeLock(machineFiles.imagesLock, 'images', 1800);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

export async function buildAll(manifest: ImageManifest, names: string[], offlineDir: string, options: BuildOptions = {}): Promise<BuildReport[]> {
  const tags = [manifest.base.tag, ...names.map((n) => manifest.images[n].offline)];
  const current = await inspect(tags);
  if (allCurrent(manifest, names, offlineDir, current)) return buildLocked(manifest, names, offlineDir, options, current);
  // Inspect again under the lock: whoever held it may have built what was missing.
  return withBuildLock(async () => buildLocked(manifest, names, offlineDir, options, await inspect(tags)));
}

async function buildLocked(
  manifest: ImageManifest,
  names: string[],
  offlineDir: string,
  options: BuildOptions,
  current: Map<string, Current>,
): Promise<BuildReport[]> {
  const reports: BuildReport[] = [];

  const started = Date.now();
  const recipe = readBaseRecipe(manifest.base.suite);
  const baseHash = baseRecipeHash(recipe);
  if (needsBuild(current.get(manifest.base.tag), baseHash)) {
    await buildBaseImage(manifest.base.tag, recipe, baseHash);
    const rebuilt = await inspect([manifest.base.tag]);
    const base = rebuilt.get(manifest.base.tag);
    if (!base) throw new OperationError(`${manifest.base.tag} is missing right after it was imported`);
    current.set(manifest.base.tag, base);
    reports.push(report({ name: 'base', tag: manifest.base.tag, action: 'built', seconds: (Date.now() - started) / 1000 }, options));
  } else {
    reports.push(report({ name: 'base', tag: manifest.base.tag, action: 'up to date', seconds: (Date.now() - started) / 1000 }, options));
  }
  const baseId = current.get(manifest.base.tag)!.id;

  const limit = pLimit(BUILDS_AT_ONCE);
  const standIns = await Promise.allSettled(
    names.map((name) =>
      limit(async () => {
        const began = Date.now();
        const { offline: tag } = manifest.images[name];
        const dir = path.join(offlineDir, name);
        const hash = folderHash(dir, baseId);
        const action = needsBuild(current.get(tag), hash) ? 'built' : 'up to date';
        if (action === 'built') await buildStandIn(name, tag, dir, manifest.base.tag, hash);
        return report({ name, tag, action, seconds: (Date.now() - began) / 1000 }, options);
      }),
    ),
  );
  // Every build runs to its end before the first failure is raised: no build is left running
  // unseen, and each image that did build keeps its label for the next run.
  const failed = standIns.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return [...reports, ...standIns.map((r) => (r as PromiseFulfilledResult<BuildReport>).value)];
}

/** Builds the base, then each stand-in whose folder (or base) changed; prints one line each. */
export async function buildOfflineImages(names?: string[], options: BuildOptions = {}): Promise<BuildReport[]> {
  const manifest = loadManifest();
  return buildAll(manifest, selectImages(manifest, names), offlineDir, options);
}
