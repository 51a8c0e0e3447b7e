// The manifest of a backup set: what each file is, its size and sha256, the tools that wrote it.
// manifest.sha256 guards the manifest itself, so one changed byte anywhere in a set is caught.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../errors.ts';
import { parseSetName } from './settings.ts';
import type { StoreEntry } from './stores/kind.ts';

export const MANIFEST = 'manifest.json';
export const MANIFEST_SUM = 'manifest.sha256';
/** 2: stores listed generically, one entry per labelled service. 1 named postgres, redis, sqlite. */
export const FORMAT = 'galaxy-backup/2';

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof FORMAT;
  project: string;
  name: string;
  createdAt: string;
  durationSeconds: number;
  host: string;
  encryption: 'none' | 'age';
  tools: Record<string, string>;
  /** One entry per labelled service, in compose's dependency order; what restore and verify read. */
  stores: StoreEntry[];
  /** Services with a named volume and no galaxy.backup label when the set was taken. */
  notBackedUp: Array<{ service: string; volumes: string[] }>;
  config: string[];
  files: ManifestFile[];
  totalBytes: number;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function manifestSumText(manifestText: string): string {
  return `${createHash('sha256').update(manifestText).digest('hex')}  ${MANIFEST}\n`;
}

/** The manifest's text, its own checksum verified; the set's name for messages. */
function readManifestText(dir: string): { text: string; name: string } {
  const name = path.basename(dir);
  for (const file of [MANIFEST, MANIFEST_SUM]) {
    if (!existsSync(path.join(dir, file))) throw new OperationError(`set ${name} is incomplete: ${file} is missing`);
  }
  const text = readFileSync(path.join(dir, MANIFEST), 'utf8');
  const expected = readFileSync(path.join(dir, MANIFEST_SUM), 'utf8').trim().split(/\s+/)[0];
  if (manifestSumText(text).split(' ')[0] !== expected) throw new OperationError(`set ${name} is corrupt: ${MANIFEST} does not match ${MANIFEST_SUM}`);
  return { text, name };
}

function parseJson(text: string, name: string): Manifest {
  try {
    return JSON.parse(text) as Manifest;
  } catch {
    throw new OperationError(`set ${name} is corrupt: ${MANIFEST} is not valid JSON`);
  }
}

/** The manifest of a set in this kit's format (the files are not hashed: see verifySet). */
export function readManifest(dir: string): Manifest {
  const { text, name } = readManifestText(dir);
  return parseManifest(text, name);
}

/** Pure: the manifest's text checked for this kit's format and a store list that matches its files. */
export function parseManifest(text: string, name: string): Manifest {
  const manifest = parseJson(text, name);
  if ((manifest.format as string) === 'galaxy-backup/1') {
    // Its stores are fixed fields per service name; reading them would mean naming services here.
    throw new OperationError(
      `set ${name} has format 'galaxy-backup/1' (stores by fixed name): restore it with a kit at commit fa5826d or older, then take a new backup`,
    );
  }
  if (manifest.format !== FORMAT) throw new OperationError(`set ${name} has format '${manifest.format}': this kit reads ${FORMAT}`);
  const files = new Map((manifest.files ?? []).map((f) => [f.path, f.sha256]));
  for (const store of Array.isArray(manifest.stores) ? manifest.stores : [undefined]) {
    if (!store || typeof store.service !== 'string' || typeof store.kind !== 'string' || files.get(store.file) !== store.sha256) {
      throw new OperationError(`set ${name} is corrupt: a store in ${MANIFEST} does not match its file list (${JSON.stringify(store ?? null).slice(0, 80)})`);
    }
  }
  return manifest;
}

function checkSizes(dir: string, manifest: Pick<Manifest, 'files'>): void {
  const name = path.basename(dir);
  for (const entry of manifest.files) {
    const file = path.join(dir, entry.path);
    if (!existsSync(file)) throw new OperationError(`set ${name} is incomplete: ${entry.path} is missing`);
    const size = statSync(file).size;
    if (size !== entry.bytes) throw new OperationError(`set ${name} is corrupt: ${entry.path} has ${size} bytes, the manifest says ${entry.bytes}`);
  }
}

/** Every checksum of the set; throws naming the first bad or missing file. */
export async function verifySet(dir: string): Promise<Manifest> {
  const manifest = readManifest(dir);
  checkSizes(dir, manifest);
  for (const entry of manifest.files) {
    if ((await sha256File(path.join(dir, entry.path))) !== entry.sha256) {
      throw new OperationError(`set ${path.basename(dir)} is corrupt: ${entry.path} does not match its sha256 in the manifest`);
    }
  }
  return manifest;
}

/**
 * Cheap check for retention: manifest intact and every file present at its size (no hashing).
 * Any format counts: a complete set of an older format is still pruned like the others.
 */
export function looksComplete(dir: string): boolean {
  try {
    const { text, name } = readManifestText(dir);
    checkSizes(dir, parseJson(text, name));
    return true;
  } catch {
    return false;
  }
}

export interface SetEntry {
  name: string;
  dir: string;
  time: Date;
}

/** This project's sets in the backup folder, newest first; anything else there is ignored. */
export function listSets(backupDir: string, project: string): SetEntry[] {
  if (!existsSync(backupDir)) return [];
  return readdirSync(backupDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, dir: path.join(backupDir, e.name), time: parseSetName(project, e.name) }))
    .filter((e): e is SetEntry => e.time !== undefined)
    .sort((a, b) => b.time.getTime() - a.time.getTime());
}
