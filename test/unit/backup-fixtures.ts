// A minimal valid backup set on disk, written the way run-backup writes one: one store entry per
// dump file (orders-db of kind postgres, sessions of kind redis, notes of kind sqlite), the config,
// signed with the fixtures' key.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FORMAT, MANIFEST, MANIFEST_SUM, type Manifest, type SetTrust, manifestSumText } from '../../scripts/lib/backup/manifest.ts';
import { MANIFEST_HMAC, signatureText } from '../../scripts/lib/backup/signature.ts';

/** The BACKUP_HMAC_KEY of the installation the test sets come from. */
export const HMAC_KEY = 'test-installation-key';

/** What verifySet checks a fixture set against: its own project, the fixtures' key. */
export function trustOf(dir: string, overrides: Partial<SetTrust> = {}): SetTrust {
  return { project: path.basename(dir).replace(/-\d{8}T\d{6}Z$/, ''), hmacKey: HMAC_KEY, trustForeign: false, ...overrides };
}

/** Writes a manifest the way run-backup does: the text, its sha256 and its signature. */
export function writeManifest(dir: string, manifest: unknown, key = HMAC_KEY): void {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(path.join(dir, MANIFEST), text);
  writeFileSync(path.join(dir, MANIFEST_SUM), manifestSumText(text));
  writeFileSync(path.join(dir, MANIFEST_HMAC), signatureText(text, key));
}

const KIND_OF: Record<string, [service: string, kind: string, label: string]> = {
  'postgres.dump': ['orders-db', 'postgres', 'postgres'],
  'redis.rdb': ['sessions', 'redis', 'redis'],
  'memory.db': ['notes', 'sqlite', 'sqlite:/data/notes.db'],
};

export const DEFAULT_CONTENTS = { 'postgres.dump': 'PGDMP...', 'redis.rdb': 'REDIS0012...', 'memory.db': 'SQLite format 3\0...', 'config/.env': 'A=1\n' };

export function manifestFor(name: string, contents: Record<string, string>): Manifest {
  const files = Object.entries(contents).map(([file, text]) => ({
    path: file,
    bytes: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
  }));
  const stores = files
    .filter((f) => KIND_OF[f.path])
    .map((f) => {
      const [service, kind, label] = KIND_OF[f.path];
      return {
        service,
        kind,
        label,
        file: f.path,
        bytes: f.bytes,
        sha256: f.sha256,
        counts: { items: 1 },
        countsExact: kind === 'sqlite',
        facts: { tool: 'test' },
      };
    });
  return {
    format: FORMAT,
    project: name.replace(/-\d{8}T\d{6}Z$/, ''),
    name,
    createdAt: new Date().toISOString(),
    durationSeconds: 1,
    host: 'test',
    encryption: 'none',
    tools: {},
    stores,
    notBackedUp: [],
    config: files.filter((f) => f.path.startsWith('config/')).map((f) => f.path),
    files,
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
  };
}

export async function writeSet(backupDir: string, name: string, contents: Record<string, string> = DEFAULT_CONTENTS): Promise<string> {
  const dir = path.join(backupDir, name);
  mkdirSync(path.join(dir, 'config'), { recursive: true });
  for (const [file, text] of Object.entries(contents)) writeFileSync(path.join(dir, file), text);
  writeManifest(dir, manifestFor(name, contents));
  return dir;
}
