// `make logs [service=X]` / scripts/logs.sh [--follow] [--since 2d] [--until 1h] [--grep TEXT] [--tail N] [SERVICE...]
// Reads the stack's log store (docs/LOGS.md), so lines of containers that a deploy, a recreate or
// --remove-data replaced are still there. In swarm mode it reads Swarm's per-service logs, which
// hold the lines of the tasks on every node (lib/logs/service-logs.ts).
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel, requireService } from './lib/compose.ts';
import { UsageError } from './lib/errors.ts';
import { printComposeLogs } from './lib/logs/compose-logs.ts';
import { printSwarmLogs } from './lib/logs/service-logs.ts';
import { printStoreLogs } from './lib/logs/store-logs.ts';
import { describeWindow, parseWindow } from './lib/logs/when.ts';
import { currentStack, requireEngine, withEngine } from './lib/stack.ts';
import { projectFiles } from './lib/state/files.ts';

const logsCommand = {
  name: 'logs.sh',
  summary:
    "Log lines of every service, or of the ones named, from the stack's log store (across restarts and deploys), each prefixed with its service and container; in swarm mode from Swarm's service logs, prefixed with service, slot and node.",
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

await defineCommand(logsCommand, {
  validate: (parsed) => {
    const { tail, since, until, follow } = parsed.values;
    if (!/^(\d+|all)$/.test(tail)) throw new UsageError(`--tail takes a number or 'all', not '${tail}'`);
    if (follow && until !== undefined) throw new UsageError('--follow and --until exclude each other: a followed log has no end');
    return { ...parsed, window: parseWindow(since, until, Date.now()), tailCount: tail === 'all' ? Number.POSITIVE_INFINITY : Number(tail) };
  },
  run: async ({ values, positionals, window, tailCount }) => {
    const { ctx, target } = await currentStack(undefined, { checkEngine: false });
    const model = await loadComposeModel(ctx);
    const asked = positionals.map((name) => requireService(model, name));
    const { tail, follow, since, until, grep } = values;
    if (target === 'swarm') {
      const services = asked.map((s) => s.name);
      const count = await withEngine(() => printSwarmLogs(model.project, { ...window, services, grep, tailCount, follow }));
      if (grep && count === 0) process.stderr.write(`no log line matches '${grep}'\n`);
      else if (count === 0)
        process.stderr.write(
          `no line from ${services.join(', ') || 'any service'} in Swarm's logs ${describeWindow(since, until)}: ${(since ?? until) ? 'widen the window (--since, --until), or ' : ''}check with make health that ${services.length === 1 ? 'it runs' : 'they run'}\n`,
        );
      return;
    }
    // A system without the log store (docs/LOGS.md) reads Docker's own logs, as before the store; so
    // do the services named whose compose block sends their lines elsewhere.
    const storeUsed = model.services.some((s) => s.logsToStore);
    const fromDocker = storeUsed ? asked.filter((s) => !s.logsToStore).map((s) => s.name) : asked.map((s) => s.name);
    const fromStore = asked.filter((s) => s.logsToStore).map((s) => s.name);
    const readStore = storeUsed && (fromStore.length > 0 || asked.length === 0);
    const readDocker = !storeUsed || fromDocker.length > 0;
    if (readDocker) {
      if (storeUsed)
        process.stderr.write(
          `${fromDocker.join(', ')}: not sent to the log store (their compose logging is not the stack's syslog route): Docker's own logs, of containers that still exist\n`,
        );
      await requireEngine();
    }
    const width = Math.max(...(fromStore.length ? fromStore : model.services.map((s) => s.name)).map((n) => n.length)) + 7;
    const [storeCount, dockerCount] = await Promise.all([
      readStore ? printStoreLogs(projectFiles(model.project).logsDir, { ...window, services: fromStore, grep, tailCount, follow, width }) : 0,
      readDocker ? printComposeLogs(ctx, { services: fromDocker, tail, follow, since, until, grep }) : 0,
    ]);
    if (grep && storeCount + dockerCount === 0) process.stderr.write(`no log line matches '${grep}'\n`);
    else if (!grep && readStore && storeCount === 0)
      process.stderr.write(
        `no line from ${fromStore.join(', ') || 'any service'} in the log store ${describeWindow(since, until)}: ${(since ?? until) ? 'widen the window (--since, --until), or ' : ''}check with make health that ${fromStore.length === 1 ? 'it runs' : 'they run'} and that the log store is healthy\n`,
      );
  },
});
