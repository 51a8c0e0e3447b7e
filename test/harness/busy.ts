// A saturated machine for deploy tests and the bench: stress-ng (Debian package) with one CPU
// worker per core, bounded in time by its own --timeout and stopped by the caller.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { $ } from 'zx';

export interface Busy {
  stop(): Promise<void>;
}

/** Starts stress-ng on every core for at most `maxSeconds`; throws one clear line when it is missing. */
export async function saturateCpus(maxSeconds: number): Promise<Busy> {
  const found = await $({ nothrow: true, quiet: true })`command -v stress-ng`;
  if (found.exitCode !== 0) throw new Error('stress-ng is not installed: apt-get install stress-ng (.ci/run installs it)');
  const cores = availableParallelism();
  const child = spawn('stress-ng', ['--cpu', String(cores), '--timeout', `${maxSeconds}s`, '--quiet'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
