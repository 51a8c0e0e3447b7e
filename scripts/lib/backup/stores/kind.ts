// What every store kind implements (one file per kind beside this one), and the few helpers the
// kinds share. A kind knows how to take one service's data out of the running stack and put it
// back; which services hold data, and of what kind, is said by their `galaxy.backup` label.
import { type ComposeContext, compose } from '../../docker/client.ts';
import { OperationError, lastLine } from '../../errors.ts';
import type { StoreLifecycle } from '../lifecycle.ts';
import type { BackupModel, BackupService } from '../services.ts';

/** Generous: a dump of many gigabytes on a slow disk still finishes; a hung one is still ended. */
export const STEP_TIMEOUT_SECONDS = 4 * 3600;

/** One labelled service of one stack (the live one, or backup-verify's throwaway copy). */
export interface StoreTarget {
  ctx: ComposeContext;
  model: BackupModel;
  service: BackupService;
  /** The label's argument (sqlite's database path); '' for kinds that take none. */
  option: string;
  /** How the kind stops and starts its service (compose or swarm mode). */
  lifecycle: StoreLifecycle;
}

export interface Snapshot {
  bytes: number;
  sha256: string;
  /** What the store held: rows per table, keys, files. */
  counts: Record<string, number>;
  /** true: counted in the snapshot itself; false: read from the live store next to the dump. */
  countsExact: boolean;
  /** Facts for people and for restore: database name, tool version. */
  facts: Record<string, string>;
}

/** A store as the manifest records it; what restore, backup-verify and the report read. */
export interface StoreEntry extends Snapshot {
  service: string;
  kind: string;
  /** The label value as written at backup time, e.g. sqlite:/data/memory.db. */
  label: string;
  /** Path in the set, .age included when encrypted. */
  file: string;
}

export interface StoreKind {
  readonly name: string;
  /** Suffix of the dump file in a set: <service><extension>. */
  readonly extension: string;
  /**
   * The variables of the service's own environment this kind reads (never a password: the model
   * that holds them is cached on disk; secrets are read inside the container).
   */
  readonly environment?: readonly string[];
  /** A problem with the label's argument for this service, or undefined when it is fine. */
  checkOption(service: BackupService, option: string): string | undefined;
  /** Writes the service's data to `file` from the running stack. */
  dump(target: StoreTarget, file: string): Promise<Snapshot>;
  /**
   * Optional: why a set's file (checksum already verified, decrypted) must not be restored, or
   * undefined. Runs before anything is stopped; kinds whose file is unpacked (volume) check it here.
   */
  checkSetFile?(file: string): string | undefined;
  /** Replaces the service's data with `file`; stops or starts the service itself as it needs. */
  restore(target: StoreTarget, file: string): Promise<void>;
  /** What the store holds now; starts the service when it must run to answer. */
  count(target: StoreTarget): Promise<Record<string, number>>;
  /** After a trial restore: counts the data and throws when it is not what the manifest says. */
  verify(target: StoreTarget, entry: StoreEntry): Promise<Record<string, number>>;
}

/** Runs a short command in the service (docker compose exec); its trimmed stdout. */
export async function execText(target: StoreTarget, command: string[], timeout: `${number}s` = '60s'): Promise<string> {
  const service = target.service.name;
  const out = await compose(target.ctx, ['exec', '-T', service, ...command], { timeout }).nothrow();
  if (out.exitCode !== 0) {
    throw new OperationError(
      `${service}: '${command.slice(0, 2).join(' ')}' failed (exit ${out.exitCode}): ${lastLine(out.stderr.trim() || out.stdout, 'no output')}`,
    );
  }
  return out.stdout.trim();
}

/** Exact counts must match one for one; a name missing on either side is a difference too. */
export function countDifferences(expected: Record<string, number>, actual: Record<string, number>): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return names
    .filter((n) => expected[n] !== actual[n])
    .map((n) => `${n} has ${actual[n] ?? 'nothing'} after restore, the manifest says ${expected[n] ?? 'nothing'}`);
}

/** The shared verdict of verify: exact counts must match; live-read ones must name the same things. */
export function checkRestored(entry: StoreEntry, actual: Record<string, number>): Record<string, number> {
  const differences = entry.countsExact
    ? countDifferences(entry.counts, actual)
    : Object.keys(entry.counts)
        .filter((n) => !(n in actual))
        .map((n) => `${n} is missing after restore`);
  if (differences.length)
    throw new OperationError(`${entry.service} (${entry.kind}): ${differences[0]}${differences.length > 1 ? ` (and ${differences.length - 1} more)` : ''}`);
  return actual;
}
