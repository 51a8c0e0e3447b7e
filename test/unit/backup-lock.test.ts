import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { acquireLock } from '../../scripts/lib/backup/lock.ts';

describe('acquireLock', () => {
  it('refuses a second holder and frees the lock on release', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gx-lock-')), 'backup.lock');
    const first = await acquireLock(file, 'backup');
    await assert.rejects(acquireLock(file, 'backup'), /another backup, restore or verify of this project is running/);
    first.release();
    // The holder exits asynchronously; bounded retry until the kernel has dropped the lock.
    let second;
    for (let i = 0; i < 50 && !second; i++) {
      second = await acquireLock(file, 'backup').catch(() => undefined);
      if (!second) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(second, 'the lock was not free after release');
    second.release();
  });

  it('is freed when the holding process is killed with SIGKILL', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gx-lock-')), 'backup.lock');
    const lockModule = path.resolve(import.meta.dirname, '../../scripts/lib/backup/lock.ts');
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `const { acquireLock } = await import(${JSON.stringify(lockModule)}); await acquireLock(${JSON.stringify(file)}, 'x'); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    await assert.rejects(acquireLock(file, 'backup'), /is running/);
    holder.kill('SIGKILL');
    let taken;
    for (let i = 0; i < 50 && !taken; i++) {
      taken = await acquireLock(file, 'backup').catch(() => undefined);
      if (!taken) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(taken, 'a SIGKILLed holder left the lock held');
    taken.release();
  });
});
