// One line of the log store and how make logs shows it (pure; test/unit/logs.test.ts).
// The store's lines are what services/log-store/rsyslog.conf writes:
//   {"time":"2026-12-02T07:32:55.559028Z", "tag":"backend/3f2a1c9d8e7b", "msg":"<the container's line>"}
// where tag is the syslog driver's `service/container-id` (docker-compose.yml, x-service logging).

export interface LogRecord {
  /** When the container wrote the line (ms since the epoch). */
  time: number;
  service: string;
  /** Docker's short container id: tells the containers of one service apart across deploys. */
  container: string;
  msg: string;
}

/** A store line as a record, or undefined for a line that is not one (a torn write, a foreign file). */
export function parseStoreLine(line: string): LogRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const { time, tag, msg } = raw as Record<string, unknown>;
  if (typeof time !== 'string' || typeof tag !== 'string' || typeof msg !== 'string') return undefined;
  const when = Date.parse(time);
  if (Number.isNaN(when)) return undefined;
  const slash = tag.lastIndexOf('/');
  return { time: when, service: slash > 0 ? tag.slice(0, slash) : tag, container: slash > 0 ? tag.slice(slash + 1) : '', msg };
}

/** The fields every service's JSON line carries (docs/DEVELOPING.md), shown in front or left out. */
const SHOWN_APART = new Set(['time', 'level', 'msg', 'service']);

function fieldValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text;
}

/**
 * A service's JSON line made readable: `LEVEL msg key=value ...` (the record's own time and
 * service are in the prefix already). Any other line is shown as it is.
 */
export function readableMessage(msg: string): string {
  if (!msg.startsWith('{')) return msg;
  let parsed: unknown;
  try {
    parsed = JSON.parse(msg);
  } catch {
    return msg;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return msg;
  const fields = parsed as Record<string, unknown>;
  const head = [typeof fields.level === 'string' ? fields.level.toUpperCase() : undefined, typeof fields.msg === 'string' ? fields.msg : undefined];
  const rest = Object.entries(fields)
    .filter(([key]) => !SHOWN_APART.has(key))
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  return [...head.filter((part) => part !== undefined), ...rest].join(' ');
}

/** The prefix make logs shows before each line: service and container, as compose showed service-N. */
export function recordSource(record: LogRecord): string {
  return record.container ? `${record.service}-${record.container.slice(0, 6)}` : record.service;
}

/** One output line: `source | time message`, the prefix padded to `width`. */
export function formatRecord(record: LogRecord, width: number): string {
  return `${recordSource(record).padEnd(width)} | ${new Date(record.time).toISOString()} ${readableMessage(record.msg)}`;
}

/** --grep: case-insensitive plain text, found in the line as stored or as shown. */
export function matchesText(record: LogRecord, shown: string, needle: string | undefined): boolean {
  if (!needle) return true;
  const lower = needle.toLowerCase();
  return record.msg.toLowerCase().includes(lower) || shown.toLowerCase().includes(lower);
}
