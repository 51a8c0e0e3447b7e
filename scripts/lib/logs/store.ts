// The log store on the host (docs/LOGS.md): .run/logs-<project>/, one JSON-line file per UTC hour,
// written by the log-store service (services/log-store) and read here by make logs and make report.
// Plain files on purpose: reading them needs no engine and no container, and no compose command
// (down -v included) deletes them.
import { chmodSync, chownSync, closeSync, createReadStream, existsSync, mkdirSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { OperationError } from '../errors.ts';
import { type LogRecord, parseStoreLine } from './record.ts';

/** The names services/log-store/rsyslog.conf writes (its hourFile template). */
const HOUR_FILE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})\.jsonl$/;
const HOUR_MS = 3_600_000;
/** A line is filed by when it arrived, but carries when it was written: allow for the difference. */
const FILING_SLACK_MS = 5 * 60_000;

/** The image's user (USER 10001 in services/log-store/Dockerfile), which must be able to write the folder. */
const STORE_UID = 10001;

/**
 * Creates the store's folder before compose would (Docker creates a missing bind source owned by
 * root, where the store's non-root user cannot write). As root it gives the folder to that user;
 * otherwise the folder is the caller's, so it lets every user write it (the caller then still owns
 * and reads every file, which rsyslog creates 0644).
 */
export function ensureStoreDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const st = statSync(dir);
  if (process.getuid?.() === 0) {
    if (st.uid !== STORE_UID) chownSync(dir, STORE_UID, STORE_UID);
  } else if ((st.mode & 0o777) !== 0o777) chmodSync(dir, 0o777);
}

export interface StoreFile {
  name: string;
  /** Start of the UTC hour the file holds (ms). */
  hour: number;
  size: number;
}

/** The store's hourly files, oldest first; none when the folder does not exist. */
export function storeFiles(dir: string): StoreFile[] {
  if (!existsSync(dir)) return [];
  const files: StoreFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const m = HOUR_FILE.exec(name);
    if (!m) continue;
    try {
      files.push({ name, hour: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4]), size: statSync(path.join(dir, name)).size });
    } catch {
      // Deleted by retention between the listing and the stat.
    }
  }
  return files;
}

/** The files that can hold lines of the window (pure). */
export function filesInWindow(files: StoreFile[], since?: number, until?: number): StoreFile[] {
  return files.filter((f) => (since === undefined || f.hour + HOUR_MS + FILING_SLACK_MS > since) && (until === undefined || f.hour - FILING_SLACK_MS <= until));
}

export interface StoreQuery {
  since?: number;
  until?: number;
  /** Only these services (all when empty). */
  services: string[];
  /** Any further test on a record in the window (--grep). */
  keep: (record: LogRecord) => boolean;
}

export function inQuery(record: LogRecord, q: StoreQuery): boolean {
  return (
    (q.since === undefined || record.time >= q.since) &&
    (q.until === undefined || record.time <= q.until) &&
    (q.services.length === 0 || q.services.includes(record.service)) &&
    q.keep(record)
  );
}

/**
 * The records of the query in store order (the order they arrived), at most `tail` per service
 * from the end (Infinity: all). Memory stays bounded by the tail, not by the store's size.
 * `upTo`: read each file only up to that many bytes, and no file it does not name (a follower's start).
 */
export async function readStore(dir: string, q: StoreQuery, tail: number, upTo?: FollowPosition): Promise<LogRecord[]> {
  if (!existsSync(dir)) throw new OperationError(`no log store at ${dir}: run 'make start' (it creates the store and sends every container's lines there)`);
  const kept = new Map<string, Array<{ seq: number; record: LogRecord }>>();
  let seq = 0;
  for (const file of filesInWindow(storeFiles(dir), q.since, q.until)) {
    const end = upTo ? upTo.get(file.name) : Number.POSITIVE_INFINITY;
    if (!end) continue;
    const input = createReadStream(path.join(dir, file.name), { encoding: 'utf8', ...(Number.isFinite(end) ? { end: end - 1 } : {}) });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const record = parseStoreLine(line);
        if (!record || !inQuery(record, q)) continue;
        const list = kept.get(record.service) ?? [];
        list.push({ seq: seq++, record });
        // Trimmed in batches: a splice per line would make a big store quadratic.
        if (list.length > 2 * tail) list.splice(0, list.length - tail);
        kept.set(record.service, list);
      }
    } catch (err) {
      // Retention deleted the file while it was read: its lines are gone, the rest still counts.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return [...kept.values()]
    .flatMap((list) => (list.length > tail ? list.slice(list.length - tail) : list))
    .sort((a, b) => a.seq - b.seq)
    .map((entry) => entry.record);
}

/** Where a follower has read up to: bytes per file name. */
export type FollowPosition = Map<string, number>;

/** The end of every file now: what a follower skips because readStore has shown it. */
export function followStart(dir: string): FollowPosition {
  return new Map(storeFiles(dir).map((f) => [f.name, f.size]));
}

/**
 * The whole lines added since `position` (which it advances), in file order. A line still being
 * written (no newline yet) is left for the next call.
 */
export function readNewLines(dir: string, position: FollowPosition): string[] {
  const out: string[] = [];
  for (const file of storeFiles(dir)) {
    const from = position.get(file.name) ?? 0;
    if (file.size <= from) continue;
    const buffer = Buffer.alloc(file.size - from);
    let fd: number;
    try {
      fd = openSync(path.join(dir, file.name), 'r');
    } catch {
      continue;
    }
    try {
      const read = readSync(fd, buffer, 0, buffer.length, from);
      const text = buffer.subarray(0, read).toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) continue;
      out.push(...text.slice(0, end).split('\n'));
      position.set(file.name, from + Buffer.byteLength(text.slice(0, end + 1)));
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

export interface StoreSize {
  bytes: number;
  files: number;
  /** Start of the oldest hour kept (ms), when there is one. */
  oldest?: number;
}

export function storeSize(dir: string): StoreSize {
  const files = storeFiles(dir);
  return { bytes: files.reduce((sum, f) => sum + f.size, 0), files: files.length, ...(files.length ? { oldest: files[0].hour } : {}) };
}
