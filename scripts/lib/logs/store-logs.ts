// make logs from the stack's log store (docs/LOGS.md): the lines of the window, the last N per
// service, then with --follow every new line, each once.
import { type LogRecord, formatRecord, matchesText, parseStoreLine, recordSource } from './record.ts';
import { type StoreQuery, followStart, inQuery, readNewLines, readStore } from './store.ts';

export interface StoreLogsRequest {
  since?: number;
  until?: number;
  /** Services to show; empty: all. */
  services: string[];
  grep?: string;
  tailCount: number;
  follow: boolean;
  /** The prefix's width, so the columns line up. */
  width: number;
}

/** How often --follow looks for new lines: rsyslog writes each line within a second. */
const FOLLOW_POLL_MS = 500;

/** Prints the matching lines; returns how many were there before following (a follow never returns). */
export async function printStoreLogs(dir: string, r: StoreLogsRequest): Promise<number> {
  const show = (record: LogRecord): void => {
    process.stdout.write(`${formatRecord(record, Math.max(r.width, recordSource(record).length))}\n`);
  };
  const query: StoreQuery = { since: r.since, until: r.until, services: r.services, keep: (rec) => matchesText(rec, formatRecord(rec, 0), r.grep) };
  // A follower reads the files up to their ends now, then only what comes after: no line twice, none skipped.
  const position = r.follow ? followStart(dir) : undefined;
  const first = await readStore(dir, query, r.tailCount, position);
  for (const record of first) show(record);
  while (position) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    for (const line of readNewLines(dir, position)) {
      const record = parseStoreLine(line);
      if (record && inQuery(record, query)) show(record);
    }
  }
  return first.length;
}
