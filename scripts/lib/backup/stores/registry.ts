// Which services a backup saves, and how: the `galaxy.backup` label on the service that holds the
// data names a store kind (postgres, redis, sqlite:/path, volume) or says `none` on purpose. The
// label is read and checked here, once, before anything runs; nothing else names services.
import { UsageError } from '../../errors.ts';
import type { BackupModel, BackupService } from '../services.ts';
import type { StoreKind } from './kind.ts';
import { postgres } from './postgres.ts';
import { redis } from './redis.ts';
import { sqlite } from './sqlite.ts';
import { volume } from './volume.ts';

export const BACKUP_LABEL = 'galaxy.backup';
const KINDS = new Map<string, StoreKind>([postgres, redis, sqlite, volume].map((k) => [k.name, k]));
const CHOICES = 'postgres, redis, sqlite:/PATH, volume or none';

/** The service environment names any store kind reads (loadBackupModel keeps only these). */
export const STORE_ENVIRONMENT = [...new Set([...KINDS.values()].flatMap((k) => k.environment ?? []))];

export interface PlannedStore {
  service: BackupService;
  kind: StoreKind;
  /** The label value as written. */
  label: string;
  option: string;
}

export interface NotBackedUp {
  service: string;
  volumes: string[];
}

export interface BackupPlan {
  stores: PlannedStore[];
  /** Services with a named volume and no label: nobody decided, so make backup says so. */
  notBackedUp: NotBackedUp[];
}

/** A store kind by its name as a manifest records it; undefined for a name this kit lacks. */
export function kindNamed(name: string): StoreKind | undefined {
  return KINDS.get(name);
}

/** The kind a label value names, with its argument; undefined for `none`. Throws one line naming service and label. */
export function parseBackupLabel(service: BackupService, value: string): { kind: StoreKind; option: string } | undefined {
  const text = value.trim();
  if (text === 'none') return undefined;
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const option = colon < 0 ? '' : text.slice(colon + 1);
  const kind = KINDS.get(name);
  const problem = kind ? kind.checkOption(service, option) : `unknown store kind '${name}': use ${CHOICES}`;
  if (problem) throw new UsageError(`service ${service.name}: label ${BACKUP_LABEL}=${value}: ${problem}`);
  return { kind: kind as StoreKind, option };
}

/** Pure: every labelled service with its kind, in compose's dependency order, and the undecided ones. */
export function planBackup(model: BackupModel): BackupPlan {
  const stores: PlannedStore[] = [];
  const notBackedUp: NotBackedUp[] = [];
  for (const service of model.services) {
    const label = service.labels[BACKUP_LABEL];
    if (label === undefined) {
      if (service.volumes.length) notBackedUp.push({ service: service.name, volumes: service.volumes.map((v) => v.name) });
      continue;
    }
    const choice = parseBackupLabel(service, label);
    if (choice) stores.push({ service, label: label.trim(), ...choice });
  }
  return { stores, notBackedUp };
}

export function notBackedUpLine(entry: NotBackedUp): string {
  const volumes = `${entry.volumes.length > 1 ? 'volumes' : 'volume'} ${entry.volumes.join(', ')}`;
  return `not backed up: ${entry.service} (${volumes}); label it ${BACKUP_LABEL}=... (${CHOICES})`;
}
