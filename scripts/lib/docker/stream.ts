// Binary streams through `docker compose`: dumps go straight from a container's stdout to a file
// (hashed on the way) and restores straight from a file into a container's stdin. zx keeps every
// byte of a command's output in memory, which a multi-gigabyte dump must not do, so this
// one helper spawns compose itself, with the same arguments and environment as compose().
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

export async function composeStream(ctx: ComposeContext, args: string[], options: StreamOptions): Promise<StreamResult & { stdout: string }> {
  const child = spawn('docker', composeCall(ctx, args), {
    cwd: projectRoot,
    env: composeEnv(ctx),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const hash = createHash('sha256');
  let bytes = 0;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutSeconds * 1000);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const writing = options.stdoutFile
    ? pipeline(child.stdout, tap, createWriteStream(options.stdoutFile, { mode: 0o600 }))
    : (async () => {
        for await (const chunk of child.stdout) stdout += chunk.toString();
      })();
  const reading = options.stdinFile ? pipeline(createReadStream(options.stdinFile), child.stdin) : Promise.resolve(child.stdin.end());
  try {
    const [code] = await Promise.all([
      exited,
      writing,
      reading.catch((err: NodeJS.ErrnoException) => {
        // The container may close stdin early when it fails; its exit code tells the real story.
        if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
      }),
    ]);
    if (code !== 0) {
      throw new OperationError(
        `${options.what} failed (exit ${code ?? 'killed after ' + options.timeoutSeconds + 's'}): ${lastLine(stderr, 'no output')}`,
        1,
        stderr.trim(),
      );
    }
  } finally {
    clearTimeout(timer);
  }
  return { bytes, sha256: hash.digest('hex'), stdout };
}
