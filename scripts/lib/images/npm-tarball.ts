// A stand-in may take one npm package as a tarball (images/offline/<name>/npm-tarball.json):
// the node stand-in takes npm itself this way. Debian's npm package pulls in some 380 node-*
// packages, 67 s of a cold start's image set against 10 s for nodejs alone; npm's own tarball
// carries its dependencies inside, as in the official node image. The host's npm fetches it
// (its registry, CA and credentials), the pinned integrity is checked, and the build reads it as
// a named build context, so no registry address is written into the recipe.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx/core';
import { OperationError, UsageError, lastLines } from '../errors.ts';
import { machineFiles } from '../state/files.ts';

export const NPM_TARBALL_FILE = 'npm-tarball.json';
/** The build context name the Dockerfile mounts (`RUN --mount=type=bind,from=npm-tarball,...`). */
export const NPM_TARBALL_CONTEXT = 'npm-tarball';

export interface NpmTarballPin {
  package: string;
  version: string;
  /** Subresource integrity, as npm's lockfiles write it (`sha512-<base64>`). */
  integrity: string;
}

/** Pure: the pin in a stand-in folder's npm-tarball.json, checked; one clear line when it is wrong. */
export function parsePin(text: string, file: string): NpmTarballPin {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON: write {"package": "npm", "version": "10.8.2", "integrity": "sha512-..."}`);
  }
  const pin = raw as Partial<NpmTarballPin>;
  if (typeof pin.package !== 'string' || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/.test(pin.package))
    throw new UsageError(`${file}: "package" must be an npm package name`);
  if (typeof pin.version !== 'string' || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(pin.version))
    throw new UsageError(`${file}: "version" must be an exact version such as 10.8.2`);
  if (typeof pin.integrity !== 'string' || !/^sha512-[A-Za-z0-9+/]{86}==$/.test(pin.integrity))
    throw new UsageError(`${file}: "integrity" must be sha512-<base64>, as \`npm view ${pin.package}@${pin.version} dist.integrity\` prints it`);
  return { package: pin.package, version: pin.version, integrity: pin.integrity };
}

/** The pin of a stand-in folder, or undefined when it takes no tarball. */
export function readPin(dir: string): NpmTarballPin | undefined {
  const file = path.join(dir, NPM_TARBALL_FILE);
  return existsSync(file) ? parsePin(readFileSync(file, 'utf8'), file) : undefined;
}

export function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The folder holding the pinned tarball as `package.tgz`, fetched once per machine: a folder that
 * exists was renamed into place only after its tarball matched the pin.
 */
export async function npmTarballContext(pin: NpmTarballPin): Promise<string> {
  const name = `${pin.package.replace('/', '+')}-${pin.version}`;
  const dir = path.join(machineFiles.offlineNpmDir, name);
  if (existsSync(path.join(dir, 'package.tgz')) && integrityOf(path.join(dir, 'package.tgz')) === pin.integrity) return dir;
  mkdirSync(machineFiles.offlineNpmDir, { recursive: true });
  const temp = mkdtempSync(path.join(machineFiles.offlineNpmDir, `.${name}-`));
  try {
    const out = await $({ cwd: temp })`npm pack ${`${pin.package}@${pin.version}`} --silent --pack-destination ${temp}`.quiet().nothrow().timeout('3m');
    const packed = readdirSync(temp).filter((f) => f.endsWith('.tgz'));
    if (out.exitCode !== 0 || packed.length !== 1)
      throw new OperationError(
        `npm pack ${pin.package}@${pin.version} failed (exit ${out.exitCode}): ${lastLines(`${out.stderr}`, 2).replaceAll('\n', ' | ')}: check that the npm registry answers (npm ping)`,
      );
    const got = integrityOf(path.join(temp, packed[0]));
    if (got !== pin.integrity)
      throw new OperationError(
        `${pin.package}@${pin.version} from the npm registry has integrity ${got}, not the pinned ${pin.integrity}: check the registry, or the pin`,
      );
    renameSync(path.join(temp, packed[0]), path.join(temp, 'package.tgz'));
    rmSync(dir, { recursive: true, force: true });
    renameSync(temp, dir);
    return dir;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
