// --since and --until of make logs (pure; test/unit/logs.test.ts): a duration back from now
// (90s, 10m, 2h, 2d, 1h30m) or a point in time (2026-12-01, 2026-12-01T08:00:00Z, with an offset).
import { durationSeconds } from '../duration.ts';
import { UsageError } from '../errors.ts';

/** The moment `value` names, in ms since the epoch; a UsageError for anything else. */
export function parseWhen(option: string, value: string, now: number): number {
  const text = value.trim();
  const seconds = durationSeconds(text);
  if (seconds !== undefined) return now - Math.round(seconds * 1000);
  // A date alone or a date and time; without an offset it is UTC, as the store's times are.
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (iso) {
    const when = Date.parse(iso[1] && !iso[4] ? `${text}Z` : text);
    if (!Number.isNaN(when)) return when;
  }
  throw new UsageError(`--${option} takes a duration back from now (90s, 10m, 2h, 2d, 1h30m) or a UTC time (2026-12-01T08:00:00Z), not '${value}'`);
}

/** The window [since, until] in ms; either end open. A window that ends before it starts is a usage error. */
export function parseWindow(since: string | undefined, until: string | undefined, now: number): { since?: number; until?: number } {
  const from = since === undefined ? undefined : parseWhen('since', since, now);
  const to = until === undefined ? undefined : parseWhen('until', until, now);
  if (from !== undefined && to !== undefined && to < from) throw new UsageError(`--until (${until}) is before --since (${since}): swap them`);
  return { since: from, until: to };
}

/** The window as the person typed it, for a message: "since 2d", "from A to B", "at all". */
export function describeWindow(since: string | undefined, until: string | undefined): string {
  if (since !== undefined && until !== undefined) return `from ${since} to ${until}`;
  if (since !== undefined) return `since ${since}`;
  return until !== undefined ? `up to ${until}` : 'at all';
}
