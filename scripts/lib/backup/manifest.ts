// The manifest of a backup set: what each file is, its size and sha256, the tools that wrote it.
// manifest.sha256 guards the manifest against damage, manifest.hmac (signature.ts) says who made
// it; every name in it is checked (set-paths.ts) because a set is untrusted input.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../errors.ts';
import { isServiceName, setFileProblem, setPathProblem } from './set-paths.ts';
import { parseSetName } from './settings.ts';
import { checkSignature } from './signature.ts';
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
    const problem = setFileProblem(dir, file);
    if (problem === 'missing') throw new OperationError(`set ${name} is incomplete: ${file} is missing`);
    if (problem) throw new OperationError(`set ${name} is unsafe: ${file} is ${problem}`);
  }
  const text = readFileSync(path.join(dir, MANIFEST), 'utf8');
  const expected = readFileSync(path.join(dir, MANIFEST_SUM), 'utf8').trim().split(/\s+/)[0];
  if (manifestSumText(text).split(' ')[0] !== expected) throw new OperationError(`set ${name} is corrupt: ${MANIFEST} does not match ${MANIFEST_SUM}`);
  return { text, name };
}

function parseJson(text: string, name: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OperationError(`set ${name} is corrupt: ${MANIFEST} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OperationError(`set ${name} is corrupt: ${MANIFEST} is not an object`);
  return parsed as Manifest;
}

/** An untrusted value as it may appear in a one-line message: no control characters, bounded. */
export function printable(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(value)
    .replace(/[\u0000-\u001f\u007f]/g, '?')
    .slice(0, 200);
}

/** The manifest of a set in this kit's format (neither signature nor files checked: see verifySet). */
export function readManifest(dir: string): Manifest {
  const { text, name } = readManifestText(dir);
  return parseManifest(text, name);
}

/** Why the file list cannot be trusted to name files inside the set, or undefined. */
function fileListProblem(manifest: Manifest): string | undefined {
  if (!Array.isArray(manifest.files)) return 'files is not a list';
  const seen = new Set<string>();
  for (const [i, f] of manifest.files.entries()) {
    const problem = setPathProblem(f?.path);
    if (problem) return `files[${i}].path: ${problem}`;
    if (seen.has(f.path)) return `files[${i}].path ${f.path} is listed twice`;
    seen.add(f.path);
    if (!Number.isSafeInteger(f.bytes) || f.bytes < 0 || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
      return `files[${i}] (${f.path}) has no valid size and sha256`;
  }
  return undefined;
}

/** Pure: the manifest's text checked for this kit's format, safe paths and stores bound to listed files. */
export function parseManifest(text: string, name: string): Manifest {
  const manifest = parseJson(text, name);
  if ((manifest.format as string) === 'galaxy-backup/1') {
    // Its stores are fixed fields per service name; reading them would mean naming services here.
    throw new OperationError(
      `set ${name} has format 'galaxy-backup/1' (stores by fixed name): restore it with a kit at commit fa5826d or older, then take a new backup`,
    );
  }
  if (manifest.format !== FORMAT) throw new OperationError(`set ${name} has format '${printable(manifest.format)}': this kit reads ${FORMAT}`);
  const unsafe = fileListProblem(manifest);
  if (unsafe) throw new OperationError(`set ${name} is unsafe: ${unsafe}`);
  const files = new Map(manifest.files.map((f) => [f.path, f.sha256]));
  const services = new Set<string>();
  const storeFiles = new Set<string>();
  for (const store of Array.isArray(manifest.stores) ? manifest.stores : [undefined]) {
    // Every store file is in files[] with the same sha256, so the checksums cover what restore reads.
    const bound = store && typeof store.file === 'string' && files.has(store.file) && files.get(store.file) === store.sha256;
    if (
      !bound ||
      !isServiceName(store.service) ||
      typeof store.kind !== 'string' ||
      !/^[a-z][a-z0-9-]{0,31}$/.test(store.kind) ||
      typeof store.label !== 'string' ||
      printable(store.label) !== store.label ||
      services.has(store.service) ||
      storeFiles.has(store.file)
    ) {
      throw new OperationError(`set ${name} is corrupt: a store in ${MANIFEST} does not match its file list (${JSON.stringify(store ?? null).slice(0, 80)})`);
    }
    services.add(store.service);
    storeFiles.add(store.file);
  }
  if (!Array.isArray(manifest.config) || manifest.config.some((c) => !files.has(c)))
    throw new OperationError(`set ${name} is corrupt: its config list names a file not in its file list`);
  if (manifest.encryption !== 'none' && manifest.encryption !== 'age')
    throw new OperationError(`set ${name} is corrupt: unknown encryption '${printable(manifest.encryption)}'`);
  if (typeof manifest.project !== 'string') throw new OperationError(`set ${name} is corrupt: it names no project`);
  return manifest;
}

function checkSizes(dir: string, manifest: Pick<Manifest, 'files'>): void {
  const name = path.basename(dir);
  for (const entry of manifest.files) {
    const problem = setFileProblem(dir, entry.path);
    if (problem === 'missing') throw new OperationError(`set ${name} is incomplete: ${entry.path} is missing`);
    if (problem) throw new OperationError(`set ${name} is unsafe: ${entry.path} is ${problem}`);
    const size = statSync(path.join(dir, entry.path)).size;
    if (size !== entry.bytes) throw new OperationError(`set ${name} is corrupt: ${entry.path} has ${size} bytes, the manifest says ${entry.bytes}`);
  }
}

/** What a set is checked against: this installation's project and key, and the person's say-so. */
export interface SetTrust {
  project: string;
  hmacKey: string;
  /** --trust-foreign-set: accept another installation's (or an unsigned) set; paths and checksums are still checked. */
  trustForeign: boolean;
}

export interface VerifiedSet {
  manifest: Manifest;
  /** signed: made by this installation; trusted: accepted on --trust-foreign-set. */
  origin: 'signed' | 'trusted';
}

/** Every check of a set, in order, before any of its files is used; throws naming the first problem. */
export async function verifySet(dir: string, trust: SetTrust): Promise<VerifiedSet> {
  const { text, name } = readManifestText(dir);
  const manifest = parseManifest(text, name);
  let origin = checkSignature(dir, text, trust.hmacKey, trust.trustForeign);
  if (manifest.project !== trust.project) {
    if (!trust.trustForeign)
      throw new OperationError(
        `set ${name} belongs to project ${JSON.stringify(printable(manifest.project))}, not ${trust.project}: pass --trust-foreign-set to restore it into this one`,
      );
    origin = 'trusted';
  }
  checkSizes(dir, manifest);
  for (const entry of manifest.files) {
    if ((await sha256File(path.join(dir, entry.path))) !== entry.sha256) {
      throw new OperationError(`set ${name} is corrupt: ${entry.path} does not match its sha256 in the manifest`);
    }
  }
  return { manifest, origin };
}

/**
 * Cheap check for retention: manifest intact and every file present at its size (no hashing).
 * Any format counts: a complete set of an older format is still pruned like the others.
 */
export function looksComplete(dir: string): boolean {
  try {
    const { text, name } = readManifestText(dir);
    const manifest = parseJson(text, name);
    // A set whose paths reach outside it never counts: it could otherwise pass as the newest one.
    if (fileListProblem(manifest)) return false;
    checkSizes(dir, manifest);
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
