// Binary streams through `docker compose`: dumps go straight from a container's stdout to a file
// and restores straight from a file into a container's stdin. zx keeps every byte of a command's
// output in memory, which a multi-gigabyte dump must not do, so this one helper spawns compose
// itself, with the same arguments and environment as compose().
//
// The CLI is handed the file itself, not a pipe into this process: through a 64 KB pipe every
// chunk waits for node to be scheduled, which on a busy 2-core machine held pg_dump at half its
// speed (bench: 30-35 s against 19 s for the same dump into a file). The sha256 is still taken on
// the way, by reading the file behind the writer while it grows (from the page cache).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationError, lastLine } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { type ComposeContext, composeCall, composeEnv } from './client.ts';

export interface StreamResult {
  bytes: number;
  sha256: string;
}

interface StreamOptions {
  /** Read the container's stdin from this file. */
  stdinFile?: string;
  /** Write the container's stdout to this file (created 0600). */
  stdoutFile?: string;
  timeoutSeconds: number;
  what: string;
}

/** How often the hash looks for more of a file that is still being written. */
const FOLLOW_MS = 50;

/** sha256 and size of `file`, read while another process writes it, until `writerDone` settles and the end is reached. */
export async function hashWhileWritten(file: string, writerDone: Promise<unknown>): Promise<StreamResult> {
  let done = false;
  const settled = writerDone.then(
    () => (done = true),
    () => (done = true),
  );
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  const handle = await open(file, 'r');
  let bytes = 0;
  try {
    for (;;) {
      // Asked before the read: a writer that had finished then has nothing left after what it returns.
      const finished = done;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
      if (bytesRead > 0) {
        hash.update(buffer.subarray(0, bytesRead));
        bytes += bytesRead;
      } else if (finished) break;
      else await Promise.race([settled, sleep(FOLLOW_MS)]);
    }
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

export async function composeStream(ctx: ComposeContext, args: string[], options: StreamOptions): Promise<StreamResult & { stdout: string }> {
  const input = options.stdinFile ? openSync(options.stdinFile, 'r') : undefined;
  const output = options.stdoutFile ? openSync(options.stdoutFile, 'w', 0o600) : undefined;
  let child;
  try {
    child = spawn('docker', composeCall(ctx, args), {
      cwd: projectRoot,
      env: composeEnv(ctx),
      stdio: [input ?? 'ignore', output ?? 'pipe', 'pipe'],
    });
  } finally {
    // The child holds its own copies of the descriptors.
    if (input !== undefined) closeSync(input);
    if (output !== undefined) closeSync(output);
  }
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutSeconds * 1000);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const written = options.stdoutFile ? hashWhileWritten(options.stdoutFile, exited) : Promise.resolve({ bytes: 0, sha256: createHash('sha256').digest('hex') });
  try {
    const [code, result] = await Promise.all([exited, written]);
    if (code !== 0) {
      throw new OperationError(
        `${options.what} failed (exit ${code ?? 'killed after ' + options.timeoutSeconds + 's'}): ${lastLine(stderr, 'no output')}`,
        1,
        stderr.trim(),
      );
    }
    return { ...result, stdout };
  } finally {
    clearTimeout(timer);
  }
}
