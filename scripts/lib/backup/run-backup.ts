// One backup run: lock, snapshot every store into a hidden .partial folder, manifest with sha256
// of every file, fsync, then one rename makes the set visible. A failed or killed run leaves no
// folder that looks like a set (a leftover .partial is removed by the next run).
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx/core';
import type { ComposeContext } from '../compose.ts';
import { pluginVersions } from '../docker/client.ts';
import { OperationError, lastLine } from '../errors.ts';
import { envFile, projectRoot } from '../paths.ts';
import { projectFiles } from '../state/files.ts';
import { ageVersion, encryptFile } from './crypto.ts';
import { FORMAT, MANIFEST, MANIFEST_SUM, type Manifest, type ManifestFile, listSets, manifestSumText, sha256File } from './manifest.ts';
import type { BackupLog } from './report.ts';
import { prune, type PruneResult } from './retention.ts';
import { loadBackupModel } from './services.ts';
import { requireOnThisNode, storeLifecycle } from './lifecycle.ts';
import { type BackupSettings, isPartialOf, partialName, setName } from './settings.ts';
import { MANIFEST_HMAC, requireKey, signatureText } from './signature.ts';
import { describeCounts } from './summary.ts';
import type { Snapshot, StoreEntry } from './stores/kind.ts';
import { BACKUP_LABEL, type PlannedStore, STORE_ENVIRONMENT, notBackedUpLine, planBackup } from './stores/registry.ts';

export interface BackupOutcome {
  name: string;
  dir: string;
  manifest: Manifest;
  durationSeconds: number;
  pruned: PruneResult;
}

function fsyncPath(target: string): void {
  const fd = openSync(target, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * What is needed to rebuild the stack elsewhere: the compose files, the saved start mode, and .env
 * only when the set is encrypted: its passwords must never sit in a plain file in a set (offsite
 * copies included), so an unencrypted set leaves it out and says so.
 */
function copyConfig(dir: string, project: string, encrypted: boolean, log: BackupLog): string[] {
  const target = path.join(dir, 'config');
  mkdirSync(target, { mode: 0o700 });
  if (!encrypted && existsSync(envFile))
    log.line('config: .env left out (the set is not encrypted; set BACKUP_ENCRYPT_RECIPIENT to include it): keep a copy of .env somewhere safe');
  const sources = [
    ...(encrypted ? [envFile] : []),
    ...readdirSync(projectRoot)
      .filter((f) => /^docker-compose(\.[\w-]+)?\.ya?ml$/.test(f))
      .map((f) => path.join(projectRoot, f)),
  ];
  const state = projectFiles(project).stack;
  if (existsSync(state)) sources.push(state);
  return sources
    .filter((f) => existsSync(f))
    .map((source) => {
      const name = source === envFile ? '.env' : path.basename(source);
      copyFileSync(source, path.join(target, name));
      return path.posix.join('config', name);
    });
}

async function toolVersions(): Promise<Record<string, string>> {
  const [plugins, commit] = await Promise.all([pluginVersions('10s'), $({ cwd: projectRoot })`git rev-parse --short HEAD`.quiet().nothrow().timeout('10s')]);
  return { node: process.version, 'docker-compose': plugins.compose || 'unknown', kit: commit.stdout.trim() || 'unknown' };
}

function removeStalePartials(settings: BackupSettings, log: BackupLog): void {
  if (!existsSync(settings.dir)) return;
  for (const entry of readdirSync(settings.dir)) {
    if (!isPartialOf(settings.project, entry)) continue;
    // Safe: the caller holds the project lock, so no other run of this project is writing it.
    rmSync(path.join(settings.dir, entry), { recursive: true, force: true });
    log.line(`removed ${entry}, left by an interrupted run`);
  }
}

/** One backup run; the caller holds the project lock (backup.sh declares `locks`). */
export async function runBackup(ctx: ComposeContext, settings: BackupSettings, log: BackupLog): Promise<BackupOutcome> {
  const started = performance.now();
  let partial: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (partial) rmSync(partial, { recursive: true, force: true });
    log.append(`FAILED: stopped by ${signal}; the unfinished set was removed`);
    process.stderr.write(`error: backup stopped by ${signal}; the unfinished set was removed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    // The key and labels first: either missing or bad stops the run before anything is written.
    requireKey(settings.hmacKey);
    // Asked now, read for the manifest: two more process starts that need not wait for the dumps.
    const versions = toolVersions();
    const model = await loadBackupModel(ctx, STORE_ENVIRONMENT);
    const plan = planBackup(model);
    // Where each store's commands go (its container, or its task on this node in swarm mode).
    const lifecycle = await storeLifecycle(ctx, model);
    requireOnThisNode(
      ctx,
      plan.stores.map((s) => s.service.name),
    );
    mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
    removeStalePartials(settings, log);
    const name = setName(settings.project, new Date());
    const finalDir = path.join(settings.dir, name);
    if (existsSync(finalDir)) throw new OperationError(`set ${name} already exists: wait a second and run again`);
    partial = path.join(settings.dir, partialName(name));
    mkdirSync(partial, { mode: 0o700 });
    log.line(`writing ${name} in ${settings.dir}`);

    for (const entry of plan.notBackedUp) log.line(notBackedUpLine(entry));
    if (!plan.stores.length) log.line(`no service carries a ${BACKUP_LABEL} label: only the config is saved`);
    // Every store at once: each dump is its own consistent snapshot (nothing is consistent across
    // stores anyway), and the small ones' exec start-up then hides behind the big one's stream.
    // All are awaited before a failure is reported, so none still writes when .partial is removed.
    const dir = partial;
    const settled = await Promise.allSettled(
      plan.stores.map(async (store) => {
        const file = `${store.service.name}${store.kind.extension}`;
        const snapshot = await store.kind.dump({ ctx, model, service: store.service, option: store.option, lifecycle }, path.join(dir, file));
        return { store, file, snapshot };
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const snapshots = settled.map((r) => (r as PromiseFulfilledResult<{ store: PlannedStore; file: string; snapshot: Snapshot }>).value);
    for (const { store, snapshot } of snapshots)
      log.line(`${store.service.name}: ${store.kind.name} snapshot, ${snapshot.bytes} bytes, ${describeCounts(snapshot.counts)} (${snapshot.facts.tool})`);
    const config = copyConfig(partial, settings.project, Boolean(settings.encryptRecipient), log);

    const files: ManifestFile[] = [];
    const stored = async (relative: string, plainSha256?: string): Promise<ManifestFile> => {
      let file = path.join(partial as string, relative);
      if (settings.encryptRecipient) file = await encryptFile(file, settings.encryptRecipient);
      const sha256 = !settings.encryptRecipient && plainSha256 ? plainSha256 : await sha256File(file);
      fsyncPath(file);
      const entry = {
        path: path
          .relative(partial as string, file)
          .split(path.sep)
          .join('/'),
        bytes: statSync(file).size,
        sha256,
      };
      files.push(entry);
      return entry;
    };
    const stores: StoreEntry[] = [];
    for (const { store, file, snapshot } of snapshots) {
      const entry = await stored(file, snapshot.sha256);
      stores.push({
        service: store.service.name,
        kind: store.kind.name,
        label: store.label,
        ...snapshot,
        file: entry.path,
        bytes: entry.bytes,
        sha256: entry.sha256,
      });
    }
    for (const relative of config) await stored(relative);
    const manifest: Manifest = {
      format: FORMAT,
      project: settings.project,
      name,
      createdAt: new Date().toISOString(),
      durationSeconds: Math.round((performance.now() - started) / 10) / 100,
      host: os.hostname(),
      encryption: settings.encryptRecipient ? 'age' : 'none',
      tools: { ...(settings.encryptRecipient ? { age: await ageVersion() } : {}), ...(await versions) },
      stores,
      notBackedUp: plan.notBackedUp,
      config: files.filter((f) => f.path.startsWith('config/')).map((f) => f.path),
      files,
      totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(path.join(partial, MANIFEST), text, { mode: 0o600 });
    writeFileSync(path.join(partial, MANIFEST_SUM), manifestSumText(text), { mode: 0o600 });
    writeFileSync(path.join(partial, MANIFEST_HMAC), signatureText(text, settings.hmacKey), { mode: 0o600 });
    for (const f of [MANIFEST, MANIFEST_SUM, MANIFEST_HMAC, 'config']) fsyncPath(path.join(partial, f));
    fsyncPath(partial);
    renameSync(partial, finalDir);
    partial = undefined;
    fsyncPath(settings.dir);
    log.line(`complete: ${name}, ${files.length} files, ${manifest.totalBytes} bytes`);

    if (settings.offsiteCommand) {
      const out = await $({ nothrow: true, quiet: true })`bash -c ${settings.offsiteCommand} offsite ${finalDir}`.timeout('14400s');
      if (out.exitCode !== 0) {
        throw new OperationError(
          `set ${name} is complete locally, but the offsite copy failed (exit ${out.exitCode}): ${lastLine(out.stderr.trim() || out.stdout, 'no output')}`,
        );
      }
      log.line('offsite copy done');
    }
    const pruned = prune(listSets(settings.dir, settings.project), settings.keepDaily, settings.keepWeekly);
    if (pruned.removed.length) log.line(`retention: removed ${pruned.removed.join(', ')}`);
    if (pruned.skippedIncomplete.length) log.line(`retention: left alone (incomplete, check them): ${pruned.skippedIncomplete.join(', ')}`);
    return { name, dir: finalDir, manifest, durationSeconds: (performance.now() - started) / 1000, pruned };
  } catch (err) {
    if (partial) rmSync(partial, { recursive: true, force: true });
    throw err;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
