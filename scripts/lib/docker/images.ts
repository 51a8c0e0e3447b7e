// Images through the one Docker client: look-ups, pulls, builds and the import of a root file system.
import { $, type Duration } from 'zx/core';
import { docker } from './client.ts';
import { inspectImagesOverSocket } from './engine-api.ts';

export async function imageExists(image: string): Promise<boolean> {
  const out = await docker(['image', 'inspect', image]).nothrow();
  return out.exitCode === 0;
}

/** The images of the list that are not on this machine: one inspect for all, one each only when some are missing. */
export async function missingImages(images: string[]): Promise<string[]> {
  const unique = [...new Set(images)];
  if (!unique.length || (await docker(['image', 'inspect', '--format', '{{.Id}}', ...unique]).nothrow()).exitCode === 0) return [];
  const present = await Promise.all(unique.map((image) => imageExists(image)));
  return unique.filter((_, i) => !present[i]);
}

export interface ImageFacts {
  Id: string;
  RepoTags?: string[];
  Config?: { Labels?: Record<string, string> | null };
}

/**
 * The images among `tags` that exist (missing ones are simply absent from the answer): over the
 * engine's socket when it can (make start asks for a dozen on every run), else one `docker image inspect`.
 */
export async function inspectImages(tags: string[]): Promise<ImageFacts[]> {
  if (!tags.length) return [];
  const fast = await inspectImagesOverSocket(tags);
  if (fast) return fast.map((doc) => JSON.parse(doc) as ImageFacts);
  const out = await docker(['image', 'inspect', ...tags], '30s').nothrow();
  try {
    return JSON.parse(out.stdout || '[]');
  } catch {
    return [];
  }
}

/** One quiet pull; true when the image came (a registry answered). */
export async function pullImage(image: string, timeout: Duration): Promise<boolean> {
  const out = await docker(['pull', '--quiet', image], timeout).nothrow();
  return out.exitCode === 0;
}

/** `docker build` of a folder with build arguments and labels; its output for the caller to judge. */
export function buildImage(dir: string, tag: string, options: { buildArgs: Record<string, string>; labels: Record<string, string>; timeout: Duration }) {
  const buildArgs = Object.entries(options.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const labels = Object.entries(options.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  return docker(['build', '--progress=plain', ...buildArgs, ...labels, '-t', tag, dir], options.timeout).nothrow();
}

/** A root file system folder as an image (`docker import`), with Dockerfile-style `changes`. */
export async function importRootfs(rootfs: string, changes: string[], tag: string): Promise<void> {
  const changeArgs = changes.flatMap((c) => ['--change', c]);
  // --numeric-owner keeps the ids of the rootfs, not the host's names for them.
  await $`tar --numeric-owner -C ${rootfs} -c . | docker import ${changeArgs} - ${tag}`.quiet().timeout('5m');
}
