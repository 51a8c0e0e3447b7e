// Each entry point declares its options, usage and examples once; parsing, `--help`, usage errors
// (exit 2), the project lock of state-changing commands (`--wait-lock`) and the mapping of
// failures to exit codes (runMain) all come from that one declaration.
import { parseArgs } from 'node:util';
import { UsageError, runMain } from '../errors.ts';
import { readProjectName } from '../env.ts';
import { skipShellStartupFiles } from '../shell-level.ts';
import { type Lock, lockProject, takeWaitLockFlag } from '../state/lock.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
  /** Placeholder shown in help for a string option (`SECONDS`). */
  value?: string;
  default?: string | boolean;
  multiple?: boolean;
  short?: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** The shell entry's name, as users type it (`deploy.sh`). */
  name: string;
  summary: string;
  /** Positional arguments: their name in the usage line, and how many at most. */
  positionals?: { name: string; max: number; help: string };
  options: O;
  examples: readonly string[];
  /** State-changing: takes the project lock before running, and accepts --wait-lock[=SECONDS]. */
  locks?: boolean;
}

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]: O[K]['type'] extends 'boolean'
    ? boolean
    : O[K]['multiple'] extends true
      ? string[]
      : O[K]['default'] extends string
        ? string
        : string | undefined;
};

export interface Parsed<O extends Record<string, OptionSpec>> {
  values: Values<O>;
  positionals: string[];
  /** Seconds to wait for the project lock (Infinity: as long as it takes); undefined: do not wait. */
  waitLockSeconds?: number;
}

export function usageLine(spec: CommandSpec<Record<string, OptionSpec>>): string {
  const pos = spec.positionals ? ` [${spec.positionals.name}${spec.positionals.max > 1 ? '...' : ''}]` : '';
  const opts = Object.entries(spec.options).map(([name, o]) => `[--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}]`);
  return [`${spec.name}${pos}`, ...opts, ...(spec.locks ? ['[--wait-lock[=SECONDS]]'] : [])].join(' ');
}

export function helpText(spec: CommandSpec<Record<string, OptionSpec>>): string {
  const rows: Array<[string, string]> = Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    `${o.help}${o.default !== undefined && o.type === 'string' ? ` (default ${o.default})` : ''}`,
  ]);
  if (spec.locks) rows.push(['--wait-lock[=SECONDS]', 'wait for another state-changing command of this project to finish, instead of refusing at once']);
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map(([a]) => a.length));
  return [
    `usage: ${usageLine(spec)}`,
    '',
    spec.summary,
    ...(spec.positionals ? ['', `${spec.positionals.name}: ${spec.positionals.help}`] : []),
    '',
    'options:',
    ...rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`),
    '',
    'examples:',
    ...spec.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

/** node's parseArgs explains itself at length; a person needs the option and what is wrong with it. */
export function parseProblem(err: NodeJS.ErrnoException): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option)
    return /argument missing/.test(err.message) ? `${option} needs a value` : `${option} takes no value`;
  return err.message.split('\n')[0];
}

/** Parses an argument list against the declaration (pure); `help: true` when -h/--help was given. */
export function parseCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: string[]): Parsed<O> | { help: true } {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const { waitSeconds, rest } = spec.locks ? takeWaitLockFlag(argv) : { waitSeconds: undefined, rest: argv };
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.default !== undefined ? { default: o.default } : {}),
        ...(o.multiple ? { multiple: true } : {}),
        ...(o.short ? { short: o.short } : {}),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: Boolean(spec.positionals), strict: true });
  } catch (err) {
    throw new UsageError(`${parseProblem(err as NodeJS.ErrnoException)}: usage: ${usageLine(spec)}`);
  }
  const max = spec.positionals?.max ?? 0;
  if (parsed.positionals.length > max)
    throw new UsageError(
      `${max === 0 ? `unexpected argument '${parsed.positionals[0]}'` : max === 1 ? `one ${spec.positionals?.name} at a time` : `at most ${max} arguments`}: usage: ${usageLine(spec)}`,
    );
  return { values: parsed.values as Values<O>, positionals: parsed.positionals, waitLockSeconds: waitSeconds };
}

/**
 * The whole life of an entry point: parse, help, validate (before the lock, so bad input is exit 2
 * whoever holds it), lock, run, exit code.
 */
export async function defineCommand<O extends Record<string, OptionSpec>, T = Parsed<O>>(
  spec: CommandSpec<O>,
  handlers: { validate?: (parsed: Parsed<O>) => T; run: (args: T) => Promise<number | void> },
): Promise<void> {
  const { validate, run } = handlers;
  skipShellStartupFiles();
  await runMain(async () => {
    const parsed = parseCommand(spec, process.argv.slice(2));
    if ('help' in parsed) {
      process.stdout.write(helpText(spec));
      return 0;
    }
    const args = validate ? validate(parsed) : (parsed as unknown as T);
    let lock: Lock | undefined;
    if (spec.locks) lock = await lockProject(readProjectName(), spec.name.replace(/\.sh$/, ''), parsed.waitLockSeconds);
    try {
      return await run(args);
    } finally {
      lock?.release();
    }
  });
}
