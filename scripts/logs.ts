// `make logs [service=X]` / scripts/logs.sh [--follow] [--since 2d] [--until 1h] [--grep TEXT] [--tail N] [SERVICE...]
// Reads the stack's log store (docs/LOGS.md), so lines of containers that a deploy, a recreate or
// --remove-data replaced are still there.
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel, requireService } from './lib/compose.ts';
import { UsageError } from './lib/errors.ts';
import { type LogRecord, formatRecord, matchesText, parseStoreLine, recordSource } from './lib/logs/record.ts';
import { type StoreQuery, followStart, inQuery, readNewLines, readStore } from './lib/logs/store.ts';
import { parseWindow } from './lib/logs/when.ts';
import { printComposeLogs } from './lib/logs/compose-logs.ts';
import { currentStack, requireEngine } from './lib/stack.ts';
import { projectFiles } from './lib/state/files.ts';

const logsCommand = {
  name: 'logs.sh',
  summary:
    "Log lines of every service, or of the ones named, from the stack's log store (across restarts and deploys), each prefixed with its service and container.",
  positionals: { name: 'SERVICE', max: Number.POSITIVE_INFINITY, help: 'services to show (default: all)' },
  options: {
    follow: { type: 'boolean', short: 'f', default: false, help: 'keep printing new lines' },
    since: { type: 'string', value: 'WHEN', help: 'only lines from then on: back from now (10m, 2h, 2d) or a UTC time (2026-12-01T08:00:00Z)' },
    until: { type: 'string', value: 'WHEN', help: 'only lines up to then, the same forms as --since' },
    grep: { type: 'string', value: 'TEXT', help: 'only lines containing TEXT (case-insensitive, plain text)' },
    tail: { type: 'string', value: 'N', default: '200', help: "lines per service from the end, or 'all'" },
  },
  examples: [
    'make logs service=api',
    'make logs ARGS="--since 2d --grep error"',
    'make logs ARGS="--since 2026-12-01T08:00:00Z --until 2026-12-01T09:00:00Z"',
    './scripts/logs.sh -f api web',
  ],
} as const;

/** How often --follow looks for new lines: rsyslog writes each line within a second. */
const FOLLOW_POLL_MS = 500;

await defineCommand(logsCommand, {
  validate: (parsed) => {
    const { tail, since, until, follow } = parsed.values;
    if (!/^(\d+|all)$/.test(tail)) throw new UsageError(`--tail takes a number or 'all', not '${tail}'`);
    if (follow && until !== undefined) throw new UsageError('--follow and --until exclude each other: a followed log has no end');
    return { ...parsed, window: parseWindow(since, until, Date.now()), tailCount: tail === 'all' ? Number.POSITIVE_INFINITY : Number(tail) };
  },
  run: async ({ values, positionals, window, tailCount }) => {
    const { ctx } = await currentStack(undefined, { checkEngine: false });
    const model = await loadComposeModel(ctx);
    const services = positionals.map((name) => requireService(model, name).name);
    if (!model.services.some((s) => s.logsToStore)) {
      // A system without the log store (docs/LOGS.md): Docker's own logs, as before the store.
      await requireEngine();
      const { tail, follow, since, until, grep } = values;
      const found = await printComposeLogs(ctx, { services, tail, follow, since, until, grep });
      if (grep && found === 0) process.stderr.write(`no log line matches '${grep}'\n`);
      return;
    }
    const dir = projectFiles(model.project).logsDir;
    const width = Math.max(...(services.length ? services : model.services.map((s) => s.name)).map((name) => name.length)) + 7;
    let matched = 0;
    const show = (record: LogRecord): void => {
      matched++;
      process.stdout.write(`${formatRecord(record, Math.max(width, recordSource(record).length))}\n`);
    };
    const query: StoreQuery = { ...window, services, keep: (r) => matchesText(r, formatRecord(r, 0), values.grep) };
    // A follower reads the files up to their ends now, then only what comes after: no line twice, none skipped.
    const position = values.follow ? followStart(dir) : undefined;
    for (const record of await readStore(dir, query, tailCount, position)) show(record);
    while (position) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      for (const line of readNewLines(dir, position)) {
        const record = parseStoreLine(line);
        if (record && inQuery(record, query)) show(record);
      }
    }
    if (values.grep && matched === 0) process.stderr.write(`no log line matches '${values.grep}'\n`);
  },
});
