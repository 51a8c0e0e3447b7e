// The dump's checksum is taken while the CLI writes the file: it must equal the hash of the whole
// file however the writes are spread in time, and must not stop at a pause of the writer.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { hashWhileWritten } from '../../scripts/lib/docker/stream.ts';

/** Runs `body` with a file path in a temp folder of its own, removed afterwards. */
async function withTempFile(body: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gx-stream-'));
  try {
    await body(path.join(dir, 'dump'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeSlowly(file: string, script: string): Promise<number | null> {
  const fd = openSync(file, 'w');
  const child = spawn('sh', ['-c', script], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
}

test('the hash of a file read behind its writer equals the hash of the finished file', () =>
  withTempFile(async (file) => {
    // Bursts with pauses longer than the follower's wait, and one write of several of its buffers.
    const writer = writeSlowly(file, 'for i in 1 2 3; do head -c 300000 /dev/urandom; sleep 0.2; done; head -c 3000000 /dev/urandom');
    const result = await hashWhileWritten(file, writer);
    assert.equal(await writer, 0);
    const whole = readFileSync(file);
    assert.equal(result.bytes, 3_900_000);
    assert.equal(result.sha256, createHash('sha256').update(whole).digest('hex'));
  }));

test('a writer that fails still ends the hash, with what it wrote', () =>
  withTempFile(async (file) => {
    const writer = writeSlowly(file, 'printf abc; exit 3');
    const result = await hashWhileWritten(file, writer);
    assert.equal(await writer, 3);
    assert.deepEqual(result, { bytes: 3, sha256: createHash('sha256').update('abc').digest('hex') });
  }));
