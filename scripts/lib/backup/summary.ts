// The newest set of this project as the report shows it: read from the set's own manifest, so the
// report lists the same stores that restore and backup-verify would put back.
import { type Manifest, listSets, looksComplete, readManifest } from './manifest.ts';
import type { BackupSettings } from './settings.ts';

export type BackupSummary = Pick<Manifest, 'name' | 'createdAt' | 'totalBytes' | 'stores' | 'notBackedUp' | 'encryption'>;

/** The newest complete set (manifest intact, every file at its size), or why there is none. */
export function newestBackup(settings: BackupSettings): BackupSummary | { missing: string } {
  const sets = listSets(settings.dir, settings.project);
  const newest = sets.find((s) => looksComplete(s.dir));
  if (!newest)
    return { missing: sets.length ? `no complete set among ${sets.length} in ${settings.dir}` : `no set of ${settings.project} in ${settings.dir} yet` };
  try {
    const { name, createdAt, totalBytes, stores, notBackedUp, encryption } = readManifest(newest.dir);
    return { name, createdAt, totalBytes, stores, notBackedUp, encryption };
  } catch (err) {
    return { missing: (err as Error).message };
  }
}

/** A short account (log line, report) of what a store held: "public.items 5000, public.tags 12". */
export function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  if (!entries.length) return 'nothing to count';
  const shown = entries
    .slice(0, 4)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return entries.length > 4 ? `${shown} and ${entries.length - 4} more` : shown;
}
