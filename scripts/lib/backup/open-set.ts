// Opening a backup set for restore and backup-verify: find it, check every checksum, and hand out
// each store's plain file (encrypted sets are decrypted into a private temp folder first).
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { OperationError, UsageError } from '../errors.ts';
import { decryptFile } from './crypto.ts';
import { listSets, type Manifest, verifySet } from './manifest.ts';
import type { BackupLog } from './report.ts';
import type { BackupSettings } from './settings.ts';

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

export interface OpenSet {
  name: string;
  manifest: Manifest;
  /** The plain file of each store, by service, in the manifest's order. */
  files: Map<string, string>;
  cleanup(): void;
}

async function plainFiles(setDir: string, manifest: Manifest, settings: BackupSettings): Promise<{ files: Map<string, string>; cleanup(): void }> {
  if (manifest.encryption === 'none') return { files: new Map(manifest.stores.map((s) => [s.service, path.join(setDir, s.file)])), cleanup: () => {} };
  const temp = mkdtempSync(path.join(settings.dir, '.decrypted-'));
  const cleanup = () => rmSync(temp, { recursive: true, force: true });
  try {
    const files = new Map<string, string>();
    for (const store of manifest.stores) {
      const target = path.join(temp, store.file.replace(/\.age$/, ''));
      await decryptFile(path.join(setDir, store.file), target, settings.encryptIdentity);
      files.set(store.service, target);
    }
    return { files, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** The named (or newest) set, every checksum verified, with its store files ready to read. */
export async function openVerifiedSet(settings: BackupSettings, log: BackupLog, from?: string): Promise<OpenSet> {
  const setDir = resolveSet(settings, from);
  const name = path.basename(setDir);
  const manifest = await verifySet(setDir);
  log.line(`${name}: all ${manifest.files.length} checksums match`);
  return { name, manifest, ...(await plainFiles(setDir, manifest, settings)) };
}
