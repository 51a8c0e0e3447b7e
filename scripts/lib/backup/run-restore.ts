// Restore into the live stack, and the trial restore of backup-verify into a throwaway project.
// Both walk the manifest's list of stores: each entry's kind puts its file back into the service
// of that name, so the verification exercises exactly the code a real restore runs.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ComposeContext, ComposeModel } from '../compose.ts';
import { compose } from '../docker/client.ts';
import { OperationError } from '../errors.ts';
import { table } from '../output.ts';
import { type OpenSet, openVerifiedSet } from './open-set.ts';
import { type StoreLifecycle, requireOnThisNode, storeLifecycle } from './lifecycle.ts';
import type { BackupLog } from './report.ts';
import { type BackupModel, loadBackupModel } from './services.ts';
import type { BackupSettings } from './settings.ts';
import type { StoreEntry, StoreKind, StoreTarget } from './stores/kind.ts';
import { STORE_ENVIRONMENT, parseBackupLabel } from './stores/registry.ts';

interface Restorable {
  entry: StoreEntry;
  kind: StoreKind;
  target: StoreTarget;
  file: string;
}

/** Each store of the set matched with the service of this stack that takes it back. */
function restorables(set: OpenSet, ctx: ComposeContext, model: BackupModel, lifecycle: StoreLifecycle): Restorable[] {
  return set.manifest.stores.map((entry) => {
    const service = model.services.find((s) => s.name === entry.service);
    if (!service)
      throw new OperationError(
        `set ${set.name} holds ${entry.service} (${entry.kind}), which the compose files do not define: add the service, or restore with the compose files saved in the set's config/`,
      );
    // The label as it was at backup time says where the data goes (sqlite's path, for one).
    const choice = parseBackupLabel(service, entry.label);
    if (!choice || choice.kind.name !== entry.kind)
      throw new OperationError(`set ${set.name}: ${entry.service} has label '${entry.label}' but kind '${entry.kind}'`);
    return { entry, kind: choice.kind, target: { ctx, model, service, option: choice.option, lifecycle }, file: set.files.get(entry.service) as string };
  });
}

/** Services that write the stores: everything depending on a store service, transitively (stores themselves excluded). */
export function writersOf(model: ComposeModel, stores: string[]): string[] {
  const byName = new Map(model.services.map((s) => [s.name, s]));
  const memo = new Map<string, boolean>();
  const usesStore = (name: string, seen: Set<string>): boolean => {
    if (memo.has(name)) return memo.get(name) as boolean;
    if (seen.has(name)) return false;
    seen.add(name);
    const result = (byName.get(name)?.dependsOn ?? []).some((d) => stores.includes(d) || usesStore(d, seen));
    memo.set(name, result);
    return result;
  };
  return model.services.filter((s) => !stores.includes(s.name) && usesStore(s.name, new Set())).map((s) => s.name);
}

/** The caller holds the project lock (restore.sh declares `locks`): nothing else changes the stack meanwhile. */
export async function runRestore(ctx: ComposeContext, settings: BackupSettings, log: BackupLog, from?: string, trustForeign = false): Promise<string> {
  // Every path, checksum and the signature before anything is stopped: a bad set must not cost a minute of downtime.
  const set = await openVerifiedSet(settings, log, from, trustForeign);
  const model = await loadBackupModel(ctx, STORE_ENVIRONMENT);
  let restart: string[] = [];
  let lifecycle: StoreLifecycle | undefined;
  try {
    lifecycle = await storeLifecycle(ctx, model);
    const targets = restorables(set, ctx, model, lifecycle);
    const stores = targets.map((t) => t.entry.service);
    requireOnThisNode(ctx, stores);
    const running = await lifecycle.running();
    const writers = writersOf(model, stores).filter((s) => running.has(s));
    // With nothing running (a new machine) everything is started afterwards.
    restart = running.size ? [...new Set([...running, ...stores])].filter((s) => model.services.some((m) => m.name === s)) : [];
    if (writers.length) {
      log.line(`stopping the writers: ${writers.join(', ')}`);
      await lifecycle.stop(writers);
    }
    for (const { entry, kind, target, file } of targets) {
      await kind.restore(target, file);
      log.line(`${entry.service}: ${entry.kind} data replaced from ${path.basename(entry.file)}`);
    }
  } catch (err) {
    if (lifecycle) {
      log.append(`FAILED during restore: ${(err as Error).message}; starting the services again`);
      await lifecycle.start(restart).catch(() => undefined);
    }
    throw err;
  } finally {
    set.cleanup();
  }
  log.line(`starting ${restart.length ? restart.join(', ') : 'every service'}`);
  await lifecycle.start(restart);
  return set.name;
}

export interface VerifyReport {
  name: string;
  /** What came back, per service: rows per table, keys, files. */
  counts: Record<string, Record<string, number>>;
}

/** Restores a set into a throwaway compose project (no published ports) and checks what came back. */
export async function runVerify(ctx: ComposeContext, settings: BackupSettings, log: BackupLog, from?: string, trustForeign = false): Promise<VerifyReport> {
  const set = await openVerifiedSet(settings, log, from, trustForeign);
  const project = `${settings.project}-verify-${randomBytes(3).toString('hex')}`;
  const trial: ComposeContext = { mode: 'default', env: { ...ctx.env, COMPOSE_PROJECT_NAME: project }, profiles: ctx.profiles };
  try {
    const model = await loadBackupModel(trial, STORE_ENVIRONMENT);
    log.line(`trial restore into throwaway project ${project}`);
    const counts: Record<string, Record<string, number>> = {};
    const rows = [['SERVICE', 'KIND', 'TABLE/KEYS/FILES', 'COUNT']];
    for (const { entry, kind, target, file } of restorables(set, trial, model, await storeLifecycle(trial, model))) {
      await kind.restore(target, file);
      counts[entry.service] = await kind.verify(target, entry);
      for (const [item, n] of Object.entries(counts[entry.service])) rows.push([entry.service, entry.kind, item, String(n)]);
    }
    log.line(`restored data:\n${table(rows)}`);
    return { name: set.name, counts };
  } finally {
    set.cleanup();
    await compose(trial, ['down', '--volumes', '--remove-orphans', '--timeout', '5'], { timeout: '180s' }).nothrow();
  }
}
