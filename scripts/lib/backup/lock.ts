// One lock per project for backup, restore and verify, so cron never runs two at once.
// flock(1) rather than an O_EXCL file with a pid: the kernel drops a flock when its holder dies,
// even on SIGKILL, so a killed run can never leave a stale lock and no pid-reuse guess is needed.
// A small `flock` child holds the lock while its stdin stays open; when this process ends for any
// reason the pipe closes, the child exits and the lock is released.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError } from '../errors.ts';

/** Exit code flock uses for "held by someone else" (EX_TEMPFAIL). */
const BUSY = 75;

export interface Lock {
  release(): void;
}

export function acquireLock(file: string, what: string): Promise<Lock> {
  mkdirSync(path.dirname(file), { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['--nonblock', '--conflict-exit-code', String(BUSY), file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let settled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!settled && out.includes('locked\n')) {
        settled = true;
        // The file's text is only a hint for people; the flock is what excludes.
        writeFileSync(file, `${process.pid} ${what} ${new Date().toISOString()}\n`);
        // Not kept alive by the holder: a run that forgets release() still exits, which frees it.
        child.unref();
        for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
        resolve({ release: () => child.stdin.end() });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      reject(new OperationError(`cannot take the backup lock ${file}: ${e.message} (flock from util-linux is required)`));
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      if (code === BUSY) reject(new OperationError(`another backup, restore or verify of this project is running (lock ${file} is held): wait for it to finish`));
      else reject(new OperationError(`cannot take the backup lock ${file}: flock exited ${code}: ${err.trim()}`));
    });
  });
}
