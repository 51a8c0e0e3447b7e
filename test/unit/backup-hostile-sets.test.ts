// Issue #12: a backup set is untrusted input. One crafted set per attack is opened the way restore
// and backup-verify open it (openVerifiedSet: before anything is stopped) and must be refused with
// one line and exit 1, and a snapshot of the sandbox (the backup folder and a victim folder beside
// it) must be the same before and after: nothing was written outside the set's temp folder.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openVerifiedSet } from '../../scripts/lib/backup/open-set.ts';
import { manifestSumText } from '../../scripts/lib/backup/manifest.ts';
import { inspectArchive } from '../../scripts/lib/backup/stores/archive.ts';
import { checkSignature, signatureText } from '../../scripts/lib/backup/signature.ts';
import { OperationError, UsageError } from '../../scripts/lib/errors.ts';
import { type Sandbox, STORES, ageKeys, craftSet, encrypt, memoryLog, sandbox, sha256, snapshot, tarOf } from './backup-craft.ts';

const DUMP = 'PGDMP crafted dump';
const boxes: Sandbox[] = [];
const box = (identity = '') => {
  const b = sandbox(identity);
  boxes.push(b);
  return b;
};
after(() => boxes.forEach((b) => rmSync(b.root, { recursive: true, force: true })));

/** Opens the set as restore does and asserts a one-line exit-1 refusal and an unchanged sandbox. */
async function refused(b: Sandbox, dir: string, message: RegExp, trustForeign = false): Promise<void> {
  const before = snapshot(b.root);
  await assert.rejects(openVerifiedSet(b.settings, memoryLog(), dir, trustForeign), (err: unknown) => {
    assert.ok(err instanceof OperationError, `not an OperationError: ${String(err)}`);
    assert.equal(err.exitCode, 1);
    assert.doesNotMatch(err.message, /\n/);
    assert.match(err.message, message);
    return true;
  });
  assert.deepEqual(snapshot(b.root), before, 'something was written outside the temp folder, or the temp folder was left behind');
}

const plainArchive = () =>
  tarOf(
    (stage) => {
      mkdirSync(path.join(stage, 'srv/files/a'), { recursive: true });
      writeFileSync(path.join(stage, 'srv/files/a/1.txt'), 'one');
    },
    ['srv/files'],
  );

const symlinkArchive = () =>
  tarOf(
    (stage) => {
      mkdirSync(path.join(stage, 'srv/files'), { recursive: true });
      symlinkSync('/etc', path.join(stage, 'srv/files/link'));
    },
    ['srv/files'],
  );

describe('a crafted backup set is refused before anything is decrypted, written or stopped', () => {
  let keys: Awaited<ReturnType<typeof ageKeys>>;
  before(async () => {
    keys = await ageKeys();
  });

  it('path traversal in a store file of an encrypted set (the decrypt target would leave the temp folder)', async (t) => {
    if (!keys) return t.skip('age is not installed (apt-get install age)');
    const b = box(keys.identity);
    const file = '../../victim/owned.age';
    const dir = craftSet(b, { [file]: await encrypt(DUMP, keys.recipient) }, [{ ...STORES.db, file }], { encryption: 'age' });
    await refused(b, dir, /^set shop-20261125T030000Z is unsafe: files\[0\]\.path: "\.\.\/\.\.\/victim\/owned\.age" leaves the set folder/);
  });

  it('path traversal in a store file of a plain set', async () => {
    const b = box();
    const file = '../../victim/owned.dump';
    const dir = craftSet(b, { [file]: DUMP }, [{ ...STORES.db, file }]);
    await refused(b, dir, /is unsafe: files\[0\]\.path: .* leaves the set folder/);
  });

  it('path traversal in stores[].file only, while files[] is clean', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], { edit: (m) => (m.stores[0].file = '../orders-db.dump') });
    await refused(b, dir, /is corrupt: a store in manifest\.json does not match its file list/);
  });

  it('path traversal in files[] (a config entry)', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP, 'config/../../../victim/x': 'A=1\n' }, [STORES.db]);
    await refused(b, dir, /is unsafe: files\[1\]\.path: .* leaves the set folder/);
  });

  it('an absolute path in files[]', async () => {
    const b = box();
    const outside = path.join(b.victim, 'abs.txt');
    writeFileSync(outside, 'secret');
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], {
      edit: (m) => m.files.push({ path: outside, bytes: 6, sha256: sha256('secret') }),
    });
    await refused(b, dir, /is unsafe: files\[1\]\.path: .* is absolute/);
  });

  it('a set file that is a symbolic link, even with the right checksum', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db]);
    writeFileSync(path.join(b.victim, 'secret'), DUMP);
    rmSync(path.join(dir, 'orders-db.dump'));
    symlinkSync(path.join(b.victim, 'secret'), path.join(dir, 'orders-db.dump'));
    await refused(b, dir, /is unsafe: orders-db\.dump is a symbolic link \(orders-db\.dump\)/);
  });

  it('a folder of the set that is a symbolic link', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP, 'config/.env': 'A=1\n' }, [STORES.db]);
    writeFileSync(path.join(b.victim, '.env'), 'A=1\n');
    rmSync(path.join(dir, 'config'), { recursive: true });
    symlinkSync(b.victim, path.join(dir, 'config'));
    await refused(b, dir, /is unsafe: config\/\.env is a symbolic link \(config\)/);
  });

  it('a symbolic link inside a volume archive', async () => {
    const b = box();
    const dir = craftSet(b, { 'files.tar': await symlinkArchive() }, [STORES.files]);
    await refused(b, dir, /^set shop-20261125T030000Z is unsafe: files's files\.tar: "srv\/files\/link" is a symbolic link$/);
  });

  it('a symbolic link inside an encrypted volume archive (checked after decrypting, temp folder removed)', async (t) => {
    if (!keys) return t.skip('age is not installed (apt-get install age)');
    const b = box(keys.identity);
    const file = 'files.tar.age';
    const dir = craftSet(b, { [file]: await encrypt(await symlinkArchive(), keys.recipient) }, [{ ...STORES.files, file }], { encryption: 'age' });
    await refused(b, dir, /files's files\.tar\.age: "srv\/files\/link" is a symbolic link/);
  });

  it('a hard link inside a volume archive', async () => {
    const b = box();
    const archive = await tarOf(
      (stage) => {
        mkdirSync(path.join(stage, 'srv/files'), { recursive: true });
        writeFileSync(path.join(stage, 'srv/files/a'), 'data');
        linkSync(path.join(stage, 'srv/files/a'), path.join(stage, 'srv/files/b'));
      },
      ['srv/files'],
    );
    const dir = craftSet(b, { 'files.tar': archive }, [STORES.files]);
    await refused(b, dir, /files's files\.tar: "srv\/files\/[ab]" is a hard link/);
  });

  it("a '..' name inside a volume archive", async () => {
    const b = box();
    const archive = await tarOf(
      (stage) => {
        mkdirSync(path.join(stage, 'srv'), { recursive: true });
        writeFileSync(path.join(stage, 'evil.txt'), 'x');
      },
      ['../evil.txt'],
      'srv',
    );
    const dir = craftSet(b, { 'files.tar': archive }, [STORES.files]);
    await refused(b, dir, /files's files\.tar: "\.\.\/evil\.txt" leaves the archive's folder/);
  });

  it('a label or format with a line break, which would forge a second line in the log', async () => {
    const b = box();
    const label = craftSet(b, { 'orders-db.dump': DUMP }, [{ ...STORES.db, label: 'postgres\nerror: all fine' }]);
    await refused(b, label, /a store in manifest\.json does not match its file list/);
    const format = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], {
      name: 'shop-20261126T030000Z',
      edit: (m) => ((m as { format: string }).format = 'x\ny'),
    });
    await refused(b, format, /has format 'x\?y'/);
  });

  it('a store file missing from files[]', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], { edit: (m) => (m.files = []) });
    await refused(b, dir, /is corrupt: a store in manifest\.json does not match its file list \(\{"service":"orders-db"/);
  });

  it('a changed byte', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db]);
    const bytes = readFileSync(path.join(dir, 'orders-db.dump'));
    bytes[3] ^= 0x01;
    writeFileSync(path.join(dir, 'orders-db.dump'), bytes);
    await refused(b, dir, /^set shop-20261125T030000Z is corrupt: orders-db\.dump does not match its sha256 in the manifest$/);
  });

  it('a set of a foreign project, though signed with this key', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], { edit: (m) => (m.project = 'other') });
    await refused(b, dir, /^set shop-20261125T030000Z belongs to project "other", not shop: pass --trust-foreign-set/);
  });

  it('a wrong HMAC: a set signed by another installation', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], { key: 'another-installation' });
    await refused(
      b,
      dir,
      /^set shop-20261125T030000Z was not made by this installation or was edited: its manifest\.hmac does not match BACKUP_HMAC_KEY; .*--trust-foreign-set/,
    );
  });

  it('an edited manifest whose manifest.sha256 was written anew', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db]);
    const text = readFileSync(path.join(dir, 'manifest.json'), 'utf8').replace('"label": "postgres"', '"label": "postgres "');
    writeFileSync(path.join(dir, 'manifest.json'), text);
    writeFileSync(path.join(dir, 'manifest.sha256'), manifestSumText(text));
    await refused(b, dir, /was not made by this installation or was edited: its manifest\.hmac does not match/);
  });

  it('an unsigned set (no manifest.hmac)', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db]);
    rmSync(path.join(dir, 'manifest.hmac'));
    await refused(b, dir, /was not made by this installation or was edited: it has no manifest\.hmac/);
  });

  it('--trust-foreign-set still checks every path and checksum', async () => {
    const b = box();
    const file = '../../victim/owned.dump';
    const traversal = craftSet(b, { [file]: DUMP }, [{ ...STORES.db, file }], { key: 'another-installation' });
    await refused(b, traversal, /leaves the set folder/, true);
    const changed = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], { key: 'another-installation', name: 'shop-20261126T030000Z' });
    writeFileSync(path.join(changed, 'orders-db.dump'), DUMP.replace('P', 'Q'));
    await refused(b, changed, /orders-db\.dump does not match its sha256/, true);
    const archive = craftSet(b, { 'files.tar': await symlinkArchive() }, [STORES.files], { key: 'other', name: 'shop-20261127T030000Z' });
    await refused(b, archive, /is a symbolic link/, true);
  });
});

describe('the pieces', () => {
  it('an archive of folders and regular files is counted; a truncated one is refused', async () => {
    const file = path.join(box().root, 'a.tar');
    writeFileSync(file, await plainArchive());
    assert.deepEqual(inspectArchive(file), { files: 1 });
    writeFileSync(file, (await plainArchive()).subarray(0, 512));
    assert.match((inspectArchive(file) as { problem: string }).problem, /truncated/);
  });

  it('signing needs a key: an empty one is a usage error, not a signature everyone can make', () => {
    assert.throws(
      () => signatureText('{}', ' '),
      (err: unknown) => err instanceof UsageError && /^BACKUP_HMAC_KEY is empty: /.test(err.message),
    );
    assert.equal(checkSignature('/nonexistent', '{}', '', true), 'trusted');
  });
});

describe('sets that are fine open', () => {
  it('a foreign or other-project set opens with --trust-foreign-set, and the log says so', async () => {
    const b = box();
    const dir = craftSet(b, { 'orders-db.dump': DUMP }, [STORES.db], { key: 'another-installation', edit: (m) => (m.project = 'other') });
    const log = memoryLog();
    const set = await openVerifiedSet(b.settings, log, dir, true);
    set.cleanup();
    assert.equal(readFileSync(set.files.get('orders-db') as string, 'utf8'), DUMP);
    assert.ok(
      log.lines.some((l) => /made by project other on crafted, not signed by this installation: accepted \(--trust-foreign-set\)/.test(l)),
      log.lines.join('\n'),
    );
    assert.ok(log.lines.some((l) => /holds no \.env \(unencrypted sets leave it out\)/.test(l)));
  });

  it('a plain volume archive of folders and regular files passes the archive check', async () => {
    const b = box();
    const dir = craftSet(b, { 'files.tar': await plainArchive() }, [STORES.files]);
    const set = await openVerifiedSet(b.settings, memoryLog(), dir);
    assert.equal(set.files.get('files'), path.join(dir, 'files.tar'));
    set.cleanup();
  });

  it('an encrypted set of this installation decrypts to names the kit chooses inside its temp folder, removed by cleanup', async (t) => {
    const keys = await ageKeys();
    if (!keys) return t.skip('age is not installed (apt-get install age)');
    const b = box(keys.identity);
    const files = { 'orders-db.dump.age': await encrypt(DUMP, keys.recipient), 'files.tar.age': await encrypt(await plainArchive(), keys.recipient) };
    const dir = craftSet(
      b,
      files,
      [
        { ...STORES.db, file: 'orders-db.dump.age' },
        { ...STORES.files, file: 'files.tar.age' },
      ],
      { encryption: 'age' },
    );
    const before = snapshot(b.root);
    const set = await openVerifiedSet(b.settings, memoryLog(), dir);
    const db = set.files.get('orders-db') as string;
    assert.match(path.relative(b.sets, db), /^\.decrypted-[^/]+\/store-0$/);
    assert.match(path.relative(b.sets, set.files.get('files') as string), /^\.decrypted-[^/]+\/store-1$/);
    assert.equal(readFileSync(db, 'utf8'), DUMP);
    set.cleanup();
    assert.deepEqual(snapshot(b.root), before);
  });
});
