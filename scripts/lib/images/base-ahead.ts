// On a fresh machine make start installs the engine (apt, about 20 s) before it can learn that no
// registry answers and build the offline set, whose base (debootstrap, about 45 s on one core) then
// comes first. The base needs no engine until its import, so it is made beside the install, on the
// second core. Only when the engine must be installed (a machine with an engine has built its base
// already) and IMAGE_SOURCE does not say registry; a start that ends up pulling cancels it.
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { parseImageSource } from './source.ts';
import { type BaseRecipe, baseRecipeHash, makeBaseRootfs, readBaseRecipe, removeRootfs } from './base.ts';
import { machineFiles } from '../state/files.ts';

export interface BaseAhead {
  /** The made rootfs with its recipe hash, or undefined when making it failed or was cancelled. */
  made: Promise<{ rootfs: string; hash: string } | undefined>;
  /** Stops it if it still runs and removes its folder; after the build, or instead of it. */
  discard(): Promise<void>;
}

/** Pure: whether a start should make the base ahead of its engine. */
export function wantsBaseAhead(engineInstalled: boolean, imageSource: string | undefined): boolean {
  return !engineInstalled && parseImageSource(imageSource) !== 'registry';
}

export function startBaseAhead(suite: string): BaseAhead | undefined {
  let recipe: BaseRecipe;
  try {
    recipe = readBaseRecipe(suite);
  } catch {
    return undefined; // no Debian mirror: the build after the install says so, in its own words
  }
  mkdirSync(path.dirname(machineFiles.offlineBaseAheadPrefix), { recursive: true });
  const dir = mkdtempSync(machineFiles.offlineBaseAheadPrefix);
  const rootfs = path.join(dir, 'rootfs');
  const abort = new AbortController();
  // A failure is not reported here: the build after the install makes the base again and reports
  // what goes wrong then, with the lock held and the engine known.
  const made = makeBaseRootfs(recipe, rootfs, abort.signal).then(
    () => ({ rootfs, hash: baseRecipeHash(recipe) }),
    () => undefined,
  );
  return {
    made,
    async discard() {
      abort.abort();
      await made;
      await removeRootfs(dir);
    },
  };
}
