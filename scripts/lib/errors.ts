// One place that maps failures to exit codes: commands throw, runMain prints one line and exits.
// 0 success, 1 the operation failed, 2 bad usage or bad input (unknown service, bad .env, ...).

export class UsageError extends Error {
  readonly exitCode = 2;
}

export class OperationError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly details?: string,
  ) {
    super(message);
  }
}

/** The last `count` lines a process printed, trimmed and joined; '' when it printed nothing. */
export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** The last line a process printed (the reason it gives), or `fallback` when it printed nothing. */
export function lastLine(text: string, fallback = ''): string {
  return lastLines(text, 1) || fallback;
}

/** A failed process as an error: one line to read, its last lines of output printed above it. */
export function processFailure(message: string, output: string, count = 25): OperationError {
  return new OperationError(message, 1, lastLines(output, count));
}

interface ChildFailure {
  exitCode: number | null;
  stderr: string;
  message: string;
}

function isChildFailure(err: unknown): err is ChildFailure {
  return typeof err === 'object' && err !== null && 'exitCode' in err && 'stderr' in err;
}

/** Runs a command's main function; prints failures as one readable line on stderr. */
export async function runMain(main: () => Promise<number | void>): Promise<void> {
  // A reader that closes early (`| head`) is not an error: stop quietly instead of a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    const code = await main();
    process.exitCode = typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof OperationError) {
      if (err instanceof OperationError && err.details) process.stderr.write(`${err.details.trimEnd()}\n`);
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else if (isChildFailure(err)) {
      process.stderr.write(`error: a command failed (exit ${err.exitCode}): ${lastLine(err.stderr, 'no output')}\n`);
      process.exitCode = err.exitCode && err.exitCode > 0 ? err.exitCode : 1;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      if (process.env.GALAXY_DEBUG) console.error(err);
      process.exitCode = 1;
    }
  }
}

/** The error the work threw, or undefined when it succeeded (for work whose failures are collected). */
export async function failureOf(work: () => Promise<unknown>): Promise<Error | undefined> {
  try {
    await work();
    return undefined;
  } catch (err) {
    return err as Error;
  }
}
