// Retention: the newest set of each of the last N days and of each of the last M ISO weeks.
// Pure selection (unit-tested) plus the pruning that acts on it. Only complete sets of this project
// are candidates: incomplete ones, other projects' sets and foreign files are never deleted here.
import { rmSync } from 'node:fs';
import { looksComplete, type SetEntry } from './manifest.ts';

export interface Candidate {
  name: string;
  time: Date;
}

function dayKey(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** ISO 8601 week, e.g. 2026-W48 (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeekKey(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Names to keep among complete sets; the newest one is always kept. */
export function selectKeep(sets: Candidate[], keepDaily: number, keepWeekly: number): Set<string> {
  const sorted = [...sets].sort((a, b) => b.time.getTime() - a.time.getTime());
  const keep = new Set<string>();
  if (sorted.length) keep.add(sorted[0].name);
  const pick = (key: (d: Date) => string, slots: number) => {
    const seen = new Set<string>();
    for (const set of sorted) {
      const k = key(set.time);
      if (seen.has(k)) continue;
      if (seen.size >= slots) break;
      seen.add(k);
      keep.add(set.name);
    }
  };
  pick(dayKey, keepDaily);
  pick(isoWeekKey, keepWeekly);
  return keep;
}

export interface PruneResult {
  kept: string[];
  removed: string[];
  skippedIncomplete: string[];
}

export function prune(sets: SetEntry[], keepDaily: number, keepWeekly: number): PruneResult {
  const complete = sets.filter((s) => looksComplete(s.dir));
  const keep = selectKeep(complete, keepDaily, keepWeekly);
  const removed: string[] = [];
  for (const set of complete) {
    if (keep.has(set.name)) continue;
    rmSync(set.dir, { recursive: true, force: true });
    removed.push(set.name);
  }
  return {
    kept: complete.filter((s) => keep.has(s.name)).map((s) => s.name),
    removed,
    skippedIncomplete: sets.filter((s) => !complete.includes(s)).map((s) => s.name),
  };
}
