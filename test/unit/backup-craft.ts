// Crafted backup sets for the hostile-set tests: a sandbox folder holding the backup folder and a
// victim folder beside it, sets written file by file with any manifest a test wants (signed with
// any key), age encryption when the age tools are installed, and snapshots of the whole sandbox.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { FORMAT, type Manifest } from '../../scripts/lib/backup/manifest.ts';
import type { BackupLog } from '../../scripts/lib/backup/report.ts';
import { type BackupSettings, readBackupSettings } from '../../scripts/lib/backup/settings.ts';
import { HMAC_KEY, writeManifest } from './backup-fixtures.ts';

export const PROJECT = 'shop';

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export interface Sandbox {
  /** The parent of everything a test touches: nothing may appear here outside a set's temp folder. */
  root: string;
  sets: string;
  victim: string;
  settings: BackupSettings;
}

/** A fresh sandbox; `identity` is the age identity file restore would use (kept outside the sandbox). */
export function sandbox(identity = ''): Sandbox {
  const root = mkdtempSync(path.join(tmpdir(), 'gx-hostile-'));
  const sets = path.join(root, 'sets');
  const victim = path.join(root, 'victim');
  mkdirSync(sets);
  mkdirSync(victim);
  const settings = readBackupSettings({
    COMPOSE_PROJECT_NAME: PROJECT,
    BACKUP_DIR: sets,
    BACKUP_HMAC_KEY: HMAC_KEY,
    BACKUP_ENCRYPT_IDENTITY: identity,
  });
  return { root, sets, victim, settings };
}

/** Every path under `dir` with what it is: a file's sha256, a link's target, or a folder. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = path.join(at, name);
      const stat = lstatSync(full);
      const rel = path.relative(dir, full);
      if (stat.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        out.push(`${rel}/`);
        walk(full);
      } else out.push(`${rel} ${sha256(readFileSync(full))}`);
    }
  };
  walk(dir);
  return out;
}

/** A log that only remembers its lines (the real one writes to a file outside the sandbox). */
export function memoryLog(): BackupLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, line: (m: string) => lines.push(m), append: (m: string) => lines.push(m) } as unknown as BackupLog & { lines: string[] };
}

export interface StoreSpec {
  service: string;
  kind: string;
  label: string;
  file: string;
}

/** The manifest run-backup would write for these files and stores. */
export function manifestOf(name: string, files: Record<string, Buffer | string>, stores: StoreSpec[], encryption: 'none' | 'age' = 'none'): Manifest {
  const list = Object.entries(files).map(([p, data]) => ({ path: p, bytes: Buffer.byteLength(data), sha256: sha256(data) }));
  const byPath = new Map(list.map((f) => [f.path, f]));
  return {
    format: FORMAT,
    project: PROJECT,
    name,
    createdAt: '2026-11-25T03:00:00.000Z',
    durationSeconds: 1,
    host: 'crafted',
    encryption,
    tools: {},
    stores: stores.map((s) => ({
      ...s,
      bytes: byPath.get(s.file)?.bytes ?? 0,
      sha256: byPath.get(s.file)?.sha256 ?? '0'.repeat(64),
      counts: { files: 1 },
      countsExact: true,
      facts: { tool: 'crafted' },
    })),
    notBackedUp: [],
    config: list.filter((f) => f.path.startsWith('config/')).map((f) => f.path),
    files: list,
    totalBytes: list.reduce((sum, f) => sum + f.bytes, 0),
  };
}

/**
 * Writes a set folder: each file at its path (relative to the set folder, so a crafted '../' path
 * lands outside it on purpose), then the manifest, changed by `edit`, signed with `key`.
 */
export function craftSet(
  box: Sandbox,
  files: Record<string, Buffer | string>,
  stores: StoreSpec[],
  options: { edit?: (m: Manifest) => void; key?: string; encryption?: 'none' | 'age'; name?: string } = {},
): string {
  const name = options.name ?? `${PROJECT}-20261125T030000Z`;
  const dir = path.join(box.sets, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, data] of Object.entries(files)) {
    const target = path.resolve(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  const manifest = manifestOf(name, files, stores, options.encryption);
  options.edit?.(manifest);
  writeManifest(dir, manifest, options.key);
  return dir;
}

/**
 * A tar made by the host's tar from a staging folder outside the sandbox; `from` is the folder
 * (under the stage) tar runs in, and -P keeps names as given ('../x' included).
 */
export async function tarOf(build: (stage: string) => void, members: string[], from = '.'): Promise<Buffer> {
  const stage = mkdtempSync(path.join(tmpdir(), 'gx-tar-'));
  build(stage);
  const out = path.join(stage, 'out.tar');
  await $({ cwd: path.join(stage, from) })`tar -P -cf ${out} ${members}`.quiet().timeout('30s');
  return readFileSync(out);
}

/** age identity and recipient in a folder outside any sandbox; undefined when age is not installed. */
export async function ageKeys(): Promise<{ identity: string; recipient: string } | undefined> {
  if ((await $`command -v age age-keygen`.quiet().nothrow()).exitCode !== 0) return undefined;
  const identity = path.join(mkdtempSync(path.join(tmpdir(), 'gx-age-')), 'identity.txt');
  await $`age-keygen -o ${identity}`.quiet().timeout('10s');
  const recipient = (await $`age-keygen -y ${identity}`.quiet().timeout('10s')).stdout.trim();
  return { identity, recipient };
}

/** `data` encrypted to `recipient`, through files in a folder outside any sandbox. */
export async function encrypt(data: Buffer | string, recipient: string): Promise<Buffer> {
  const work = mkdtempSync(path.join(tmpdir(), 'gx-age-'));
  writeFileSync(path.join(work, 'plain'), data);
  await $`age --encrypt --recipient ${recipient} --output ${path.join(work, 'sealed')} ${path.join(work, 'plain')}`.quiet().timeout('30s');
  return readFileSync(path.join(work, 'sealed'));
}

export const STORES = {
  db: { service: 'orders-db', kind: 'postgres', label: 'postgres', file: 'orders-db.dump' },
  files: { service: 'files', kind: 'volume', label: 'volume', file: 'files.tar' },
};
