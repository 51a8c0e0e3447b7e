import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { acquireLock, busyMessage, parseHolder, takeLock, takeWaitLockFlag } from '../../scripts/lib/state/lock.ts';
import { projectFileMatcher, projectFiles } from '../../scripts/lib/state/files.ts';

const lockModule = path.resolve(import.meta.dirname, '../../scripts/lib/state/lock.ts');

/** A separate process holding the lock until killed (the way a second command would). */
async function holdElsewhere(file: string, command: string) {
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `const { acquireLock } = await import(${JSON.stringify(lockModule)}); await acquireLock(${JSON.stringify(file)}, ${JSON.stringify(command)}); console.log('held'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  return holder;
}

async function takeWhenFree(file: string) {
  // The holder exits asynchronously; bounded retry until the kernel has dropped the lock.
  for (let i = 0; i < 50; i++) {
    const lock = await acquireLock(file, 'test').catch(() => undefined);
    if (lock) return lock;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe('the project lock', () => {
  it('refuses a second holder at once, naming the first, and frees the lock on release', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gx-lock-')), 'p.lock');
    const first = await acquireLock(file, 'deploy');
    await assert.rejects(
      acquireLock(file, 'backup'),
      new RegExp(`^Error: busy: deploy \\(pid ${process.pid}\\) since \\d{4}-\\d\\d-\\d\\dT\\S+; retry or pass --wait-lock$`),
    );
    first.release();
    const second = await takeWhenFree(file);
    assert.ok(second, 'the lock was not free after release');
    second.release();
  });

  it('is freed when the holding process is killed with SIGKILL', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gx-lock-')), 'p.lock');
    const holder = await holdElsewhere(file, 'restore');
    await assert.rejects(acquireLock(file, 'backup'), /busy: restore \(pid \d+\)/);
    holder.kill('SIGKILL');
    const taken = await takeWhenFree(file);
    assert.ok(taken, 'a SIGKILLed holder left the lock held');
    taken.release();
  });

  it('--wait-lock waits for the holder instead of refusing; with seconds it gives up after them', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gx-lock-')), 'p.lock');
    const holder = await holdElsewhere(file, 'backup');
    await assert.rejects(takeLock(file, 'deploy', 1), /busy: backup/);
    const waiting = takeLock(file, 'deploy', Number.POSITIVE_INFINITY);
    setTimeout(() => holder.kill('SIGTERM'), 300);
    const lock = await waiting;
    lock.release();
  });

  it('reads who holds it, and the flag, from untrusted text', () => {
    assert.deepEqual(parseHolder('123 deploy 2026-12-01T10:00:00.000Z\n'), { pid: 123, command: 'deploy', since: '2026-12-01T10:00:00.000Z' });
    assert.equal(parseHolder('garbage'), undefined);
    assert.equal(busyMessage(undefined), 'busy: another command; retry or pass --wait-lock');
    assert.deepEqual(takeWaitLockFlag(['a', '--wait-lock', 'b']), { waitSeconds: Number.POSITIVE_INFINITY, rest: ['a', 'b'] });
    assert.deepEqual(takeWaitLockFlag(['--wait-lock=600']), { waitSeconds: 600, rest: [] });
    for (const bad of ['--wait-lock=0', '--wait-lock=-1', '--wait-lock=x', '--wait-lock='])
      assert.throws(() => takeWaitLockFlag([bad]), /--wait-lock takes a whole number/);
  });

  it('project files stay in .run: a name that is not a compose project name is refused', () => {
    assert.match(projectFiles('galaxy-test-ab12').lock, /\.run\/galaxy-test-ab12\.lock$/);
    for (const bad of ['../../etc', 'a/b', 'Upper', '', '-x']) assert.throws(() => projectFiles(bad), /is not a compose project name/);
    const mine = projectFileMatcher('p1');
    assert.ok(mine('deploy-state-p1.json') && mine('deploy-p1-backend-portless.yml') && mine('p1.lock'));
    assert.ok(!mine('deploy-state-p10.json') && !mine('stack-p2.json'));
  });
});
