// Images through the one Docker client: look-ups, pulls, builds and the import of a root file system.
import { $, type Duration } from 'zx/core';
import { docker } from './client.ts';
import { imageDocsOverSocket } from './engine-api.ts';

/** The images of the list that are not on this machine. */
export async function missingImages(images: string[]): Promise<string[]> {
  const unique = [...new Set(images)];
  const facts = await imagesByName(unique);
  return unique.filter((_, i) => !facts[i]);
}

export interface ImageFacts {
  Id: string;
  RepoTags?: string[];
  Config?: { Labels?: Record<string, string> | null };
}

/**
 * Per name, in order: the image's facts, or undefined when it is not on this machine. Over the
 * engine's socket when it can (make start asks for a dozen on every run, each CLI start is 0.2 s or
 * more), else one `docker image inspect` for all, and one each only when some are missing.
 */
export async function imagesByName(names: string[]): Promise<Array<ImageFacts | undefined>> {
  if (!names.length) return [];
  const fast = await imageDocsOverSocket(names);
  if (fast) return fast.map((doc) => (doc === undefined ? undefined : (JSON.parse(doc) as ImageFacts)));
  const all = await docker(['image', 'inspect', ...names], '30s').nothrow();
  if (all.exitCode === 0) return parseImageDocs(all.stdout);
  return Promise.all(names.map(async (name) => parseImageDocs((await docker(['image', 'inspect', name], '30s').nothrow()).stdout)[0]));
}

function parseImageDocs(text: string): ImageFacts[] {
  try {
    return JSON.parse(text || '[]');
  } catch {
    return [];
  }
}

/** The images among `tags` that exist (missing ones are simply absent from the answer). */
export async function inspectImages(tags: string[]): Promise<ImageFacts[]> {
  return (await imagesByName(tags)).filter((facts) => facts !== undefined);
}

/** One quiet pull; true when the image came (a registry answered). */
export async function pullImage(image: string, timeout: Duration): Promise<boolean> {
  const out = await docker(['pull', '--quiet', image], timeout).nothrow();
  return out.exitCode === 0;
}

/** `docker build` of a folder with build arguments, labels and named contexts; its output for the caller to judge. */
export function buildImage(
  dir: string,
  tag: string,
  options: { buildArgs: Record<string, string>; labels: Record<string, string>; contexts?: Record<string, string>; timeout: Duration },
) {
  const buildArgs = Object.entries(options.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const labels = Object.entries(options.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const contexts = Object.entries(options.contexts ?? {}).flatMap(([k, v]) => ['--build-context', `${k}=${v}`]);
  return docker(['build', '--progress=plain', ...buildArgs, ...labels, ...contexts, '-t', tag, dir], options.timeout).nothrow();
}

/** A root file system folder as an image (`docker import`), with Dockerfile-style `changes`. */
export async function importRootfs(rootfs: string, changes: string[], tag: string): Promise<void> {
  const changeArgs = changes.flatMap((c) => ['--change', c]);
  // --numeric-owner keeps the ids of the rootfs, not the host's names for them.
  await $`tar --numeric-owner -C ${rootfs} -c . | docker import ${changeArgs} - ${tag}`.quiet().timeout('5m');
}
