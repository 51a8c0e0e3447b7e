import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listSets, looksComplete, manifestSumText, parseManifest, verifySet } from '../../scripts/lib/backup/manifest.ts';
import { DEFAULT_CONTENTS, manifestFor, trustOf, writeManifest, writeSet } from './backup-fixtures.ts';

function flipByte(file: string, at: number) {
  const bytes = readFileSync(file);
  bytes[at] ^= 0x01;
  writeFileSync(file, bytes);
}

describe('verifySet', () => {
  it('accepts an intact set', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    const { manifest } = await verifySet(dir, trustOf(dir));
    assert.equal(manifest.files.length, 4);
    assert.equal(looksComplete(dir), true);
  });

  for (const file of ['postgres.dump', 'redis.rdb', 'memory.db', 'config/.env']) {
    it(`names ${file} when one of its bytes changed`, async () => {
      const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
      flipByte(path.join(dir, file), 2);
      await assert.rejects(verifySet(dir, trustOf(dir)), {
        message: `set galaxy-20261125T030000Z is corrupt: ${file} does not match its sha256 in the manifest`,
      });
      // Same size, so the cheap retention check cannot see it; only the checksum can.
      assert.equal(looksComplete(dir), true);
    });
  }

  it('names a missing file', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    rmSync(path.join(dir, 'redis.rdb'));
    await assert.rejects(verifySet(dir, trustOf(dir)), { message: 'set galaxy-20261125T030000Z is incomplete: redis.rdb is missing' });
    assert.equal(looksComplete(dir), false);
  });

  it('names a truncated file', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    writeFileSync(path.join(dir, 'memory.db'), 'SQ');
    await assert.rejects(verifySet(dir, trustOf(dir)), /memory\.db has 2 bytes, the manifest says \d+/);
  });

  it('refuses a changed manifest and a missing one', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), 'galaxy-20261125T030000Z');
    flipByte(path.join(dir, 'manifest.json'), 40);
    await assert.rejects(verifySet(dir, trustOf(dir)), { message: 'set galaxy-20261125T030000Z is corrupt: manifest.json does not match manifest.sha256' });
    rmSync(path.join(dir, 'manifest.json'));
    await assert.rejects(verifySet(dir, trustOf(dir)), { message: 'set galaxy-20261125T030000Z is incomplete: manifest.json is missing' });
  });
});

describe('the generic manifest', () => {
  const name = 'shop-20261125T030000Z';

  it('lists stores by service and kind, each bound to a file by its sha256', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), name);
    const { manifest } = await verifySet(dir, trustOf(dir));
    assert.deepEqual(
      manifest.stores.map((s) => [s.service, s.kind, s.file]),
      [
        ['orders-db', 'postgres', 'postgres.dump'],
        ['sessions', 'redis', 'redis.rdb'],
        ['notes', 'sqlite', 'memory.db'],
      ],
    );
    assert.deepEqual(manifest.config, ['config/.env']);
  });

  it('refuses a store whose file is not in the file list, or whose sha256 differs from it', () => {
    const manifest = manifestFor(name, DEFAULT_CONTENTS);
    manifest.stores[1].sha256 = '0'.repeat(64);
    assert.throws(
      () => parseManifest(JSON.stringify(manifest), name),
      /^Error: set shop-20261125T030000Z is corrupt: a store in manifest\.json does not match its file list \(\{"service":"sessions"/,
    );
    manifest.stores[1] = { ...manifestFor(name, DEFAULT_CONTENTS).stores[1], file: 'elsewhere.rdb' };
    assert.throws(() => parseManifest(JSON.stringify(manifest), name), /does not match its file list/);
    assert.throws(() => parseManifest(JSON.stringify({ ...manifest, stores: { postgres: {} } }), name), /does not match its file list \(null\)/);
  });

  it('refuses a format-1 set (stores by fixed name) with one line saying what to do', () => {
    const old = { format: 'galaxy-backup/1', stores: { postgres: { file: 'postgres.dump', database: 'galaxy' } }, files: [] };
    assert.throws(() => parseManifest(JSON.stringify(old), name), {
      message:
        "set shop-20261125T030000Z has format 'galaxy-backup/1' (stores by fixed name): restore it with a kit at commit fa5826d or older, then take a new backup",
    });
    assert.throws(() => parseManifest(JSON.stringify({ ...old, format: 'galaxy-backup/9' }), name), {
      message: "set shop-20261125T030000Z has format 'galaxy-backup/9': this kit reads galaxy-backup/2",
    });
  });

  it('a complete format-1 set still counts as complete for retention, though restore refuses it', async () => {
    const dir = await writeSet(mkdtempSync(path.join(tmpdir(), 'gx-m-')), name);
    const manifest = { ...manifestFor(name, DEFAULT_CONTENTS), format: 'galaxy-backup/1', stores: { postgres: { file: 'postgres.dump' } } };
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(path.join(dir, 'manifest.json'), text);
    writeFileSync(path.join(dir, 'manifest.sha256'), manifestSumText(text));
    assert.equal(looksComplete(dir), true);
    await assert.rejects(verifySet(dir, trustOf(dir)), /has format 'galaxy-backup\/1' \(stores by fixed name\)/);
  });
});

describe('looksComplete', () => {
  it('never counts a set whose file list reaches outside it, so retention cannot keep it as the newest', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'gx-m-'));
    const dir = await writeSet(root, 'galaxy-20261125T030000Z');
    writeFileSync(path.join(root, 'outside'), 'x');
    const manifest = manifestFor(path.basename(dir), DEFAULT_CONTENTS);
    manifest.files.push({ path: '../outside', bytes: 1, sha256: '0'.repeat(64) });
    writeManifest(dir, manifest);
    assert.equal(looksComplete(dir), false);
  });
});

describe('listSets', () => {
  it("lists only this project's set folders, newest first", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'gx-m-'));
    await writeSet(root, 'galaxy-20261124T030000Z');
    await writeSet(root, 'galaxy-20261125T030000Z');
    await writeSet(root, 'galaxy-test-20261126T030000Z');
    await writeSet(root, '.galaxy-20261127T030000Z.partial');
    assert.deepEqual(
      listSets(root, 'galaxy').map((s) => s.name),
      ['galaxy-20261125T030000Z', 'galaxy-20261124T030000Z'],
    );
    assert.deepEqual(listSets(path.join(root, 'absent'), 'galaxy'), []);
  });
});
