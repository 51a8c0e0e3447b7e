// make logs in swarm mode (docs/SCALING.md): Swarm's own per-service logs, read from every node. The
// log store only gets the lines of tasks on the manager there (a worker's syslog driver sends to
// its own 127.0.0.1, where nothing listens), so it would miss most replicas. The output has the log
// store's shape: `service.slot@node | UTC time line`, a JSON line made readable.
import { SERVICE_LOGS_READ_LIMIT, type ServiceLogsOptions, serviceLogs, stackServices } from '../docker/swarm-stack.ts';
import { OperationError, UsageError, lastLine } from '../errors.ts';
import { requireManager } from '../swarm/deploy-stack.ts';
import { readableMessage } from './record.ts';

/** One line as Docker printed it (`<RFC 3339 time> <stack>_<service>.<slot>@<node>    | <line>`), taken apart. */
export interface ServiceLine {
  /** ms since the epoch; undefined for a line without Docker's time in front (then it is kept). */
  time?: number;
  /** Nanoseconds within that ms: the lines of one task often share a ms, and sorting must keep their order. */
  nanos: number;
  /** `service.slot@node`, the stack's namespace taken off. */
  source: string;
  msg: string;
}

const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) (\S+?)\s+\| ?(.*)$/;

/** Pure: a line of the output of service logs with --timestamps (unit-tested). */
export function parseServiceLine(line: string, stack: string): ServiceLine {
  const m = LINE.exec(line);
  const time = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
  if (!m || Number.isNaN(time)) return { nanos: 0, source: '', msg: line };
  const fraction = (m[2] ?? '').padEnd(9, '0');
  const source = m[4].startsWith(`${stack}_`) ? m[4].slice(stack.length + 1) : m[4];
  return { time: time + Number(fraction.slice(0, 3)), nanos: Number(fraction.slice(3)), source, msg: m[5] };
}

export interface LineQuery {
  since?: number;
  until?: number;
  grep?: string;
  /** The last N lines of the service (Infinity: all). */
  tailCount: number;
}

/** Pure: the line as make logs shows it, its source padded to `width`. */
export function formatServiceLine(line: ServiceLine, width: number): string {
  if (line.time === undefined) return line.msg;
  return `${line.source.padEnd(width)} | ${new Date(line.time).toISOString()} ${readableMessage(line.msg)}`;
}

/** Pure: in the window (Docker has no --until) and containing the text (case-insensitive, as printed or as logged). */
export function keepLine(line: ServiceLine, q: Omit<LineQuery, 'tailCount'>): boolean {
  if (line.time !== undefined && ((q.since !== undefined && line.time < q.since) || (q.until !== undefined && line.time > q.until))) return false;
  if (!q.grep) return true;
  const needle = q.grep.toLowerCase();
  return line.msg.toLowerCase().includes(needle) || formatServiceLine(line, 0).toLowerCase().includes(needle);
}

/**
 * Pure: one service's lines in time order, filtered, the last N kept. Docker prints them task by
 * task, each task's own last lines (its --tail counts per task), so the order and the tail of the
 * service are made here. A line without a time sorts with the line before it.
 */
export function pickLines(raw: string[], stack: string, q: LineQuery): ServiceLine[] {
  let previous = { time: 0, nanos: 0 };
  const lines = raw.map((text, index) => {
    const line = parseServiceLine(text, stack);
    if (line.time !== undefined) previous = { time: line.time, nanos: line.nanos };
    return { line, key: previous, index };
  });
  const kept = lines
    .filter(({ line }) => keepLine(line, q))
    .sort((a, b) => a.key.time - b.key.time || a.key.nanos - b.key.nanos || a.index - b.index)
    .map(({ line }) => line);
  return Number.isFinite(q.tailCount) ? kept.slice(Math.max(0, kept.length - q.tailCount)) : kept;
}

export interface SwarmLogsRequest extends LineQuery {
  /** Compose service names; empty: every service of the stack. */
  services: string[];
  follow: boolean;
}

/** The services to read: those asked, each checked to run in the stack, or all of them. */
async function servicesToRead(stack: string, asked: string[]): Promise<string[]> {
  await requireManager();
  const running = (await stackServices(stack)).map((s) => s.service).sort();
  if (running.length === 0) throw new OperationError(`stack ${stack} runs no service: make start ARGS=--swarm starts it`);
  const missing = asked.find((name) => !running.includes(name));
  if (missing) throw new UsageError(`${missing} is not in stack ${stack} (left out of swarm mode, or the stack is not started): make health lists what runs`);
  return asked.length ? asked : running;
}

function failed(service: string, result: { exitCode: number | null; signal: NodeJS.Signals | null; stderr: string }): void {
  // Ended by the read's time limit: Docker streams about a thousand lines a second here, and
  // without an --until of its own it sends everything from --since on (the whole history without one).
  if (result.exitCode === null && result.signal)
    throw new OperationError(
      `reading the logs of ${service} from Swarm took longer than ${SERVICE_LOGS_READ_LIMIT}: give a later --since (Docker sends every line from --since on, and with --until every one up to now)`,
    );
  if (result.exitCode !== 0) throw new OperationError(`reading the logs of ${service} from Swarm failed: ${lastLine(result.stderr, 'no output')}`);
}

/** Prints the lines of each service, service by service; with --follow every new line as it comes. Returns how many were printed. */
export async function printSwarmLogs(stack: string, r: SwarmLogsRequest): Promise<number> {
  const services = await servicesToRead(stack, r.services);
  // With --until Docker must send everything since --since: the last N lines before the end come out of that.
  const options: ServiceLogsOptions = {
    tail: r.until === undefined && Number.isFinite(r.tailCount) ? String(r.tailCount) : 'all',
    follow: r.follow,
    since: r.since === undefined ? undefined : new Date(r.since).toISOString(),
  };
  if (r.follow) return followAll(stack, services, options, r);
  if (r.until !== undefined)
    process.stderr.write(
      `swarm: Docker's service logs have no --until: every line since ${options.since ?? 'the tasks started'} is read and those after ${new Date(r.until).toISOString()} left out, which takes a while for a busy service\n`,
    );
  const read = await Promise.all(
    services.map(async (service) => {
      const result = await serviceLogs(`${stack}_${service}`, options);
      failed(service, result);
      return pickLines(result.stdout.split('\n').filter(Boolean), stack, r);
    }),
  );
  const lines = read.flat();
  // A loop, not Math.max(...lines): --tail all can give more lines than a call takes arguments.
  const width = lines.reduce((most, line) => Math.max(most, line.source.length), 0);
  for (const line of lines) process.stdout.write(`${formatServiceLine(line, width)}\n`);
  return lines.length;
}

/**
 * Every service's stream at once, each line printed when it comes; ends when all end (a removed
 * stack) or on Ctrl-C. A stream that fails is reported once the others end: throwing at once would
 * leave them running, and the process with them.
 */
async function followAll(stack: string, services: string[], options: ServiceLogsOptions, q: LineQuery): Promise<number> {
  // Wide enough for `service.slot@node` on most clusters, so the columns rarely move.
  let width = Math.max(...services.map((s) => s.length)) + 16;
  let printed = 0;
  const results = await Promise.all(
    services.map(async (service) => {
      const child = serviceLogs(`${stack}_${service}`, options);
      for await (const text of child) {
        const line = parseServiceLine(text, stack);
        if (!keepLine(line, q)) continue;
        width = Math.max(width, line.source.length);
        printed++;
        process.stdout.write(`${formatServiceLine(line, width)}\n`);
      }
      return { service, result: await child };
    }),
  );
  for (const { service, result } of results) failed(service, result);
  return printed;
}
