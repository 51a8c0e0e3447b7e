// Image versions for deploys: the git commit, plus a marker when the working tree differs from it,
// so an image built from uncommitted code can never be mistaken for the committed one.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx/core';
import { OperationError } from '../errors.ts';
import { projectRoot } from '../paths.ts';

/** `<sha12>` for a clean tree, `<sha12>-dirty-<hash8>` otherwise (pure). */
export function formatVersion(commit: string, dirtyHash?: string): string {
  if (!/^[0-9a-f]{7,40}$/.test(commit)) throw new OperationError(`not a git commit id: '${commit}'`);
  const short = commit.slice(0, 12);
  return dirtyHash ? `${short}-dirty-${dirtyHash.slice(0, 8)}` : short;
}

/** Docker tags allow [A-Za-z0-9_.-], at most 128 characters, not starting with '.' or '-'. */
export function isValidTag(tag: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag);
}

/** `BACKEND_VERSION` for `backend`: the variable the compose file reads for the image tag. */
export function versionVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_VERSION`;
}

/** The image reference without its tag (`orders/api:1` -> `orders/api`; a registry port stays). */
export function repositoryOf(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash ? image.slice(0, colon) : image;
}

/** A service's image at a version: the repository its compose `image:` names, with that tag. */
export function imageName(configuredImage: string, version: string): string {
  return `${repositoryOf(configuredImage)}:${version}`;
}

/** The tag part of an image reference (`galaxy/backend:abc` -> `abc`; no tag -> `latest`). */
export function tagOf(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash ? image.slice(colon + 1) : 'latest';
}

/**
 * Hash of what differs from HEAD: tracked changes (diff) and untracked files (names and content).
 * Two builds of the same dirty tree get the same tag; any edit changes it.
 */
export function hashDirtyState(diff: string, untracked: Array<{ name: string; content: Buffer | string }>): string | undefined {
  if (!diff && untracked.length === 0) return undefined;
  const hash = createHash('sha256').update(diff);
  for (const file of [...untracked].sort((a, b) => a.name.localeCompare(b.name))) hash.update(`\0${file.name}\0`).update(file.content);
  return hash.digest('hex');
}

/** The version a build of the working tree gets now. */
export async function currentVersion(cwd = projectRoot): Promise<string> {
  const git = $({ cwd, quiet: true, nothrow: true });
  // Generous limits: on a saturated machine (a build beside the deploy) git is slow, not broken.
  const head = await git`git rev-parse HEAD`.timeout('60s');
  if (head.signal) throw new OperationError(`git did not answer within 60 s in ${cwd}: the machine is overloaded; try again`);
  if (head.exitCode !== 0) throw new OperationError(`cannot read the git commit (is ${cwd} a git checkout?): ${head.stderr.trim()}`);
  const diff = await git`git diff HEAD --binary`.timeout('120s');
  const others = await git`git ls-files --others --exclude-standard -z`.timeout('120s');
  if (diff.signal || others.signal) throw new OperationError(`git did not answer within 120 s in ${cwd}: the machine is overloaded; try again`);
  const untracked = others.stdout
    .split('\0')
    .filter(Boolean)
    .map((name) => {
      let content: Buffer | string = '';
      try {
        content = readFileSync(path.join(cwd, name));
      } catch {
        /* vanished or unreadable since listing: its name still counts */
      }
      return { name, content };
    });
  return formatVersion(head.stdout.trim(), hashDirtyState(diff.stdout, untracked));
}
