// The one lock design: flock(1) on a file under .run/. The kernel drops a flock when its holder
// dies, even on SIGKILL, so a killed run never leaves a stale lock and no pid has to be guessed
// alive. A small `flock` child holds the lock while its stdin stays open; when this process ends
// for any reason the pipe closes, the child exits and the lock is released. The file's text
// (pid, command, since) only tells people who holds it.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OperationError, UsageError } from '../errors.ts';
import { projectFiles } from './files.ts';

/** Exit code flock uses for "held by someone else" (EX_TEMPFAIL). */
const BUSY = 75;

export interface Lock {
  release(): void;
}

export interface Holder {
  pid: number;
  command: string;
  since: string;
}

/** `pid command since` as written by the holder (pure); undefined for an empty or foreign text. */
export function parseHolder(text: string): Holder | undefined {
  const m = /^(\d+) (\S+) (\S+)\s*$/.exec(text.trim());
  return m ? { pid: Number(m[1]), command: m[2], since: m[3] } : undefined;
}

export function busyMessage(holder: Holder | undefined): string {
  const who = holder ? `${holder.command} (pid ${holder.pid}) since ${holder.since}` : 'another command';
  return `busy: ${who}; retry or pass --wait-lock`;
}

/**
 * `--wait-lock` (wait as long as it takes) or `--wait-lock=SECONDS`, out of an argument list:
 * returns the wait (undefined: do not wait) and the arguments without it. Validated here, at
 * the edge, so every command accepts it the same way.
 */
export function takeWaitLockFlag(argv: string[]): { waitSeconds?: number; rest: string[] } {
  let waitSeconds: number | undefined;
  const rest: string[] = [];
  for (const arg of argv) {
    if (arg === '--wait-lock') waitSeconds = Number.POSITIVE_INFINITY;
    else if (arg.startsWith('--wait-lock=')) {
      const raw = arg.slice('--wait-lock='.length);
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || value < 1) throw new UsageError(`--wait-lock takes a whole number of seconds >= 1, not '${raw}'`);
      waitSeconds = value;
    } else rest.push(arg);
  }
  return { waitSeconds, rest };
}

/** Takes the lock in `file` for `command`; refuses at once when held, unless asked to wait. */
export function acquireLock(file: string, command: string, waitSeconds?: number): Promise<Lock> {
  mkdirSync(path.dirname(file), { recursive: true });
  const mode = waitSeconds === undefined ? ['--nonblock'] : Number.isFinite(waitSeconds) ? ['--timeout', String(waitSeconds)] : [];
  return new Promise((resolve, reject) => {
    const child = spawn('flock', [...mode, '--conflict-exit-code', String(BUSY), file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let settled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!settled && out.includes('locked\n')) {
        settled = true;
        writeFileSync(file, `${process.pid} ${command} ${new Date().toISOString()}\n`);
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
      reject(new OperationError(`cannot take the lock ${file}: ${e.message} (flock from util-linux is required)`));
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      if (code === BUSY) {
        let holder: Holder | undefined;
        try {
          holder = parseHolder(readFileSync(file, 'utf8'));
        } catch {
          /* removed meanwhile: the message still says what to do */
        }
        reject(new OperationError(busyMessage(holder)));
      } else reject(new OperationError(`cannot take the lock ${file}: flock exited ${code}: ${err.trim()}`));
    });
  });
}

/** Takes the lock at once if free; when held, says by whom and waits if asked to (else refuses). */
export async function takeLock(file: string, command: string, waitSeconds?: number): Promise<Lock> {
  try {
    return await acquireLock(file, command);
  } catch (err) {
    if (waitSeconds === undefined || !(err instanceof OperationError) || !err.message.startsWith('busy:')) throw err;
    process.stderr.write(
      `${err.message.replace(/; retry or pass --wait-lock$/, '')}: waiting${Number.isFinite(waitSeconds) ? ` up to ${waitSeconds}s` : ''}\n`,
    );
    return acquireLock(file, command, waitSeconds);
  }
}

/**
 * The project lock that every state-changing command takes (start, stop, restart, deploy,
 * rollback, backup, restore, images): one of them at a time per project.
 */
export function lockProject(project: string, command: string, waitSeconds?: number): Promise<Lock> {
  return takeLock(projectFiles(project).lock, command, waitSeconds);
}
