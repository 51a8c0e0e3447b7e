// Options of the bench: the command (`make bench`) and its child suites (bench/deploy.ts,
// backup.ts, discovery.ts, run by `make bench` with --runs or alone) parse through the kit's one
// command definition, and --runs is checked here once for all of them.
import { type CommandSpec, type OptionSpec, type Parsed, helpText, parseCommand } from '../../scripts/lib/command/define.ts';
import { UsageError } from '../../scripts/lib/errors.ts';

export const runsOption = {
  type: 'string',
  value: 'N',
  default: process.env.BENCH_RUNS ?? '5',
  help: 'runs per figure, 1 to 50 (the median of at least 5 is reported)',
} as const satisfies OptionSpec;

export function parseRuns(value: string | undefined, option = '--runs'): number {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new UsageError(`${option} must be a whole number from 1 to 50, not '${value}'`);
  return runs;
}

/**
 * A child suite's options: --help prints usage and exits 0, bad input prints one line and exits 2
 * before any stack is started (a child has no runMain of its own around its top-level code).
 */
export function childOptions<O extends Record<string, OptionSpec>, T>(
  spec: CommandSpec<O>,
  validate: (values: Parsed<O>['values']) => T,
  argv = process.argv.slice(2),
): T {
  try {
    const parsed = parseCommand(spec, argv);
    if ('help' in parsed) {
      process.stdout.write(helpText(spec));
      process.exit(0);
    }
    return validate(parsed.values);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(2);
  }
}
