// `make logs [service=X]` / scripts/logs.sh [--follow] [--since 10m] [--grep TEXT] [--tail N] [SERVICE...]
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel, requireService } from './lib/compose.ts';
import { compose } from './lib/docker/client.ts';
import { UsageError, lastLine } from './lib/errors.ts';
import { interactive, stripAnsi } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

const logsCommand = {
  name: 'logs.sh',
  summary: 'Log lines of every service, or of the ones named, each prefixed with its service.',
  positionals: { name: 'SERVICE', max: Number.POSITIVE_INFINITY, help: 'services to show (default: all)' },
  options: {
    follow: { type: 'boolean', short: 'f', default: false, help: 'keep printing new lines' },
    since: { type: 'string', value: 'DURATION', help: 'only lines newer than this (10m, 2h) or a timestamp' },
    grep: { type: 'string', value: 'TEXT', help: 'only lines containing TEXT (case-insensitive, plain text)' },
    tail: { type: 'string', value: 'N', default: '200', help: "lines per service from the end, or 'all'" },
  },
  examples: ['make logs service=api', 'make logs ARGS="--since 10m --grep error"', './scripts/logs.sh -f api web'],
} as const;

await defineCommand(logsCommand, {
  run: async (parsed) => {
    const { follow, since, grep, tail } = parsed.values;
    if (!/^(\d+|all)$/.test(tail ?? '')) throw new UsageError(`--tail takes a number or 'all', not '${tail}'`);
    const { ctx } = await currentStack();
    const model = await loadComposeModel(ctx);
    const services = parsed.positionals.map((name) => requireService(model, name).name);
    const args = ['logs', '--tail', tail as string, ...(follow ? ['--follow'] : []), ...(since ? ['--since', since] : []), ...services];
    // compose prefixes every line with the service name itself; --grep filters that stream line by line.
    const child = compose(ctx, args).nothrow();
    const pattern = grep ? new RegExp(grep.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : undefined;
    let matched = 0;
    for await (const raw of child) {
      // Compose 2.26 writes an erase-line code before each line even with --ansi never: drop it.
      const line = interactive ? raw.replaceAll('\x1b[2K', '') : stripAnsi(raw);
      if (!pattern || pattern.test(stripAnsi(line))) {
        matched++;
        process.stdout.write(`${line}\n`);
      }
    }
    const result = await child;
    if (result.exitCode !== 0) throw new UsageError('docker compose logs failed: ' + lastLine(result.stderr));
    if (pattern && matched === 0) process.stderr.write(`no log line matches '${grep}'\n`);
  },
});
