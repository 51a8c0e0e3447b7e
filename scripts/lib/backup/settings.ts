// Backup settings from .env (every one optional, with defaults) and the naming of backup sets.
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { machineFiles, projectFiles } from '../state/files.ts';

export interface BackupSettings {
  project: string;
  /** Folder holding the sets; sets of other projects may share it. */
  dir: string;
  keepDaily: number;
  keepWeekly: number;
  /** age public key; empty = sets are stored unencrypted. */
  encryptRecipient: string;
  /** age identity file used by restore/verify of encrypted sets. */
  encryptIdentity: string;
  /** Signs the sets this installation makes (manifest.hmac); generated into .env. */
  hmacKey: string;
  /** Shell command run with the finished set's path as $1; empty = no offsite copy. */
  offsiteCommand: string;
  logFile: string;
  metricsDir: string;
  lockFile: string;
}

function count(values: Record<string, string>, name: string, fallback: number): number {
  const raw = values[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`.env has ${name}=${raw}: use a whole number (0 or more)`);
  return Number(raw);
}

function resolvePath(value: string | undefined, fallback: string): string {
  const raw = value?.trim();
  return raw ? path.resolve(projectRoot, raw) : fallback;
}

export function readBackupSettings(values: Record<string, string>): BackupSettings {
  const project = values.COMPOSE_PROJECT_NAME || 'galaxy';
  const recipient = values.BACKUP_ENCRYPT_RECIPIENT?.trim() ?? '';
  if (recipient && !/^age1[0-9a-z]{20,}$/.test(recipient)) {
    throw new UsageError(`.env has BACKUP_ENCRYPT_RECIPIENT=${recipient}: use an age public key (age1..., from 'age-keygen -y IDENTITY')`);
  }
  const keepDaily = count(values, 'BACKUP_KEEP_DAILY', 7);
  const keepWeekly = count(values, 'BACKUP_KEEP_WEEKLY', 4);
  return {
    project,
    dir: resolvePath(values.BACKUP_DIR, path.join(projectRoot, 'backups')),
    keepDaily,
    keepWeekly,
    encryptRecipient: recipient,
    encryptIdentity: resolvePath(values.BACKUP_ENCRYPT_IDENTITY, ''),
    hmacKey: values.BACKUP_HMAC_KEY ?? '',
    offsiteCommand: values.BACKUP_OFFSITE_COMMAND?.trim() ?? '',
    logFile: resolvePath(values.BACKUP_LOG_FILE, machineFiles.backupLog),
    metricsDir: resolvePath(values.BACKUP_METRICS_DIR, machineFiles.textfileDir),
    // The project lock: a backup, restore or verify never overlaps a deploy, start or stop.
    lockFile: projectFiles(project).lock,
  };
}

/** UTC, second resolution, sortable as text: 20261125T234500Z. */
export function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function setName(project: string, date: Date): string {
  return `${project}-${stamp(date)}`;
}

/** Work-in-progress name: hidden, and never matched by parseSetName, so it never looks like a set. */
export function partialName(name: string): string {
  return `.${name}.partial`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The time of a set of this project, from its folder name; undefined for anything else. */
export function parseSetName(project: string, name: string): Date | undefined {
  const match = new RegExp(`^${escape(project)}-(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z$`).exec(name);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function isPartialOf(project: string, name: string): boolean {
  return name.startsWith('.') && name.endsWith('.partial') && parseSetName(project, name.slice(1, -'.partial'.length)) !== undefined;
}
