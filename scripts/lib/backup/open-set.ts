// Opening a backup set for restore and backup-verify: find it, check every path, the signature and
// every checksum, and hand out each store's plain file (encrypted sets are decrypted into a
// private temp folder first). Nothing here stops a service: a bad set costs no downtime.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { OperationError, UsageError } from '../errors.ts';
import { decryptFile } from './crypto.ts';
import { listSets, type Manifest, printable, verifySet } from './manifest.ts';
import type { BackupLog } from './report.ts';
import type { BackupSettings } from './settings.ts';
import { kindNamed } from './stores/registry.ts';

/** A set named by a person (name or path), or the newest set of this project. */
export function resolveSet(settings: BackupSettings, from?: string): string {
  if (from) {
    const candidates = [path.resolve(from), path.join(settings.dir, from)];
    const found = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
    if (found) return found;
    const names = listSets(settings.dir, settings.project)
      .slice(0, 5)
      .map((s) => s.name);
    throw new UsageError(
      `no backup set '${from}' in ${settings.dir}${names.length ? `: newest are ${names.join(', ')}` : ': it holds no sets of this project'}`,
    );
  }
  const newest = listSets(settings.dir, settings.project)[0];
  if (!newest) throw new OperationError(`no backup set of project ${settings.project} in ${settings.dir}: run 'make backup' first`);
  return newest.dir;
}

/** The option restore and backup-verify both declare (scripts/lib/command/define.ts). */
export const trustForeignOption = {
  type: 'boolean',
  help: 'accept a set another installation made (or one made before sets were signed); every path and checksum is still checked',
} as const;

export interface OpenSet {
  name: string;
  manifest: Manifest;
  /** The plain file of each store, by service, in the manifest's order. */
  files: Map<string, string>;
  cleanup(): void;
}

/**
 * Each store's plain file. An encrypted one is decrypted into a private temp folder under a name
 * the kit chooses (store-<n>), never one from the manifest, so nothing is written elsewhere.
 */
async function plainFiles(setDir: string, manifest: Manifest, settings: BackupSettings): Promise<{ files: Map<string, string>; cleanup(): void }> {
  if (manifest.encryption === 'none') return { files: new Map(manifest.stores.map((s) => [s.service, path.join(setDir, s.file)])), cleanup: () => {} };
  mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
  const temp = mkdtempSync(path.join(settings.dir, '.decrypted-'));
  const cleanup = () => rmSync(temp, { recursive: true, force: true });
  try {
    const files = new Map<string, string>();
    for (const [i, store] of manifest.stores.entries()) {
      const target = path.join(temp, `store-${i}`);
      await decryptFile(path.join(setDir, store.file), target, settings.encryptIdentity);
      files.set(store.service, target);
    }
    return { files, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** Kind-specific checks of the plain files (a volume's archive: no links, no '..'), before anything stops. */
function checkPlainFiles(name: string, manifest: Manifest, files: Map<string, string>): void {
  for (const store of manifest.stores) {
    const problem = kindNamed(store.kind)?.checkSetFile?.(files.get(store.service) as string);
    if (problem) throw new OperationError(`set ${name} is unsafe: ${store.service}'s ${store.file}: ${problem}`);
  }
}

/** The named (or newest) set, every path, checksum and the signature verified, with its store files ready to read. */
export async function openVerifiedSet(settings: BackupSettings, log: BackupLog, from?: string, trustForeign = false): Promise<OpenSet> {
  const setDir = resolveSet(settings, from);
  const name = path.basename(setDir);
  const { manifest, origin } = await verifySet(setDir, { project: settings.project, hmacKey: settings.hmacKey, trustForeign });
  log.line(`${name}: all ${manifest.files.length} checksums match`);
  if (origin === 'trusted')
    log.line(
      `${name} was made by project ${printable(manifest.project)} on ${printable(manifest.host)}, not signed by this installation: accepted (--trust-foreign-set)`,
    );
  if (!manifest.config.some((c) => /^config\/\.env(\.age)?$/.test(c)))
    log.line(
      `${name} holds no .env (unencrypted sets leave it out): the stack keeps its current .env; on a new machine put back the .env you kept before 'make start'`,
    );
  const plain = await plainFiles(setDir, manifest, settings);
  try {
    checkPlainFiles(name, manifest, plain.files);
  } catch (err) {
    plain.cleanup();
    throw err;
  }
  return { name, manifest, ...plain };
}
