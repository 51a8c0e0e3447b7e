import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listSets, looksComplete, verifySet } from '../../scripts/lib/backup/manifest.ts';
import { writeSet } from './backup-fixtures.ts';

function flipByte(file: string, at: number) {
  const bytes = readFileSync(file);
  bytes[at] ^= 0x01;
  writeFileSync(file, bytes);
}

describe('verifySet', () => {
  it('accepts an intact set', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    const manifest = await verifySet(dir);
    assert.equal(manifest.files.length, 4);
    assert.equal(looksComplete(dir), true);
  });

  for (const file of ['postgres.dump', 'redis.rdb', 'memory.db', 'config/.env']) {
    it(`names ${file} when one of its bytes changed`, async () => {
      const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
      flipByte(path.join(dir, file), 2);
      await assert.rejects(verifySet(dir), { message: `set galaxy-20261125T030000Z is corrupt: ${file} does not match its sha256 in the manifest` });
      // Same size, so the cheap retention check cannot see it; only the checksum can.
      assert.equal(looksComplete(dir), true);
    });
  }

  it('names a missing file', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    rmSync(path.join(dir, 'redis.rdb'));
    await assert.rejects(verifySet(dir), { message: 'set galaxy-20261125T030000Z is incomplete: redis.rdb is missing' });
    assert.equal(looksComplete(dir), false);
  });

  it('names a truncated file', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    writeFileSync(path.join(dir, 'memory.db'), 'SQ');
    await assert.rejects(verifySet(dir), /memory\.db has 2 bytes, the manifest says \d+/);
  });

  it('refuses a changed manifest and a missing one', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    flipByte(path.join(dir, 'manifest.json'), 40);
    await assert.rejects(verifySet(dir), { message: 'set galaxy-20261125T030000Z is corrupt: manifest.json does not match manifest.sha256' });
    rmSync(path.join(dir, 'manifest.json'));
    await assert.rejects(verifySet(dir), { message: 'set galaxy-20261125T030000Z is incomplete: manifest.json is missing' });
  });
});

describe('listSets', () => {
  it('lists only this project\'s set folders, newest first', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'gx-m-'));
    await writeSet(root, 'galaxy-20261124T030000Z');
    await writeSet(root, 'galaxy-20261125T030000Z');
    await writeSet(root, 'galaxy-test-20261126T030000Z');
    await writeSet(root, '.galaxy-20261127T030000Z.partial');
    assert.deepEqual(listSets(root, 'galaxy').map((s) => s.name), ['galaxy-20261125T030000Z', 'galaxy-20261124T030000Z']);
    assert.deepEqual(listSets(path.join(root, 'absent'), 'galaxy'), []);
  });
});
