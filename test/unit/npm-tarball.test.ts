// The pin of an npm tarball a stand-in takes (images/offline/<name>/npm-tarball.json), without a registry.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../scripts/lib/errors.ts';
import { offlineDir } from '../../scripts/lib/images/manifest.ts';
import { integrityOf, parsePin, readPin } from '../../scripts/lib/images/npm-tarball.ts';

const INTEGRITY = `sha512-${createHash('sha512').update('x').digest('base64')}`;
const pin = (fields: Record<string, unknown>) => JSON.stringify({ package: 'npm', version: '10.8.2', integrity: INTEGRITY, ...fields });

describe('parsePin', () => {
  it('reads package, version and integrity', () => {
    assert.deepEqual(parsePin(pin({}), 'f.json'), { package: 'npm', version: '10.8.2', integrity: INTEGRITY });
    assert.equal(parsePin(pin({ package: '@scope/tool-x' }), 'f.json').package, '@scope/tool-x');
  });

  it('refuses, naming the file and the field, what it cannot pin exactly', () => {
    const cases: [string, RegExp][] = [
      ['not json', /f\.json is not JSON/],
      [pin({ package: '../npm' }), /"package" must be an npm package name/],
      [pin({ version: '^10.8.2' }), /"version" must be an exact version/],
      [pin({ version: 'latest' }), /"version" must be an exact version/],
      [pin({ integrity: 'sha1-abc' }), /"integrity" must be sha512-<base64>/],
      [pin({ integrity: undefined }), /"integrity" must be sha512-<base64>/],
    ];
    for (const [text, message] of cases)
      assert.throws(
        () => parsePin(text, 'f.json'),
        (e: Error) => e instanceof UsageError && message.test(e.message),
        text,
      );
  });
});

describe('integrityOf', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npm-tarball-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the sha512 subresource integrity npm writes, so a changed byte no longer matches', () => {
    const file = path.join(dir, 'package.tgz');
    writeFileSync(file, 'x');
    assert.equal(integrityOf(file), INTEGRITY);
    writeFileSync(file, 'y');
    assert.notEqual(integrityOf(file), INTEGRITY);
  });
});

describe('the node stand-in', () => {
  it('pins npm exactly, and the folders without a pin take no tarball', () => {
    assert.match(readPin(path.join(offlineDir, 'node'))!.version, /^\d+\.\d+\.\d+$/);
    assert.equal(readPin(path.join(offlineDir, 'python')), undefined);
  });
});
