import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { listSets } from '../../scripts/lib/backup/manifest.ts';
import { isoWeekKey, prune, selectKeep } from '../../scripts/lib/backup/retention.ts';
import { setName } from '../../scripts/lib/backup/settings.ts';
import { writeSet } from './backup-fixtures.ts';

const day = (iso: string) => ({ name: iso, time: new Date(iso) });

describe('isoWeekKey', () => {
  it('follows ISO 8601 across year ends', () => {
    assert.equal(isoWeekKey(new Date('2026-11-25T12:00:00Z')), '2026-W48');
    assert.equal(isoWeekKey(new Date('2021-01-03T12:00:00Z')), '2020-W53');
    assert.equal(isoWeekKey(new Date('2024-12-30T00:00:00Z')), '2025-W01');
    // Monday starts a new week, Sunday ends it.
    assert.equal(isoWeekKey(new Date('2026-11-22T23:59:59Z')), '2026-W47');
    assert.equal(isoWeekKey(new Date('2026-11-23T00:00:00Z')), '2026-W48');
  });
});

describe('selectKeep', () => {
  it('keeps the newest set of each of the last N days', () => {
    const sets = [day('2026-11-25T03:00:00Z'), day('2026-11-25T01:00:00Z'), day('2026-11-24T03:00:00Z'), day('2026-11-23T03:00:00Z')];
    assert.deepEqual([...selectKeep(sets, 2, 0)].sort(), ['2026-11-24T03:00:00Z', '2026-11-25T03:00:00Z']);
  });

  it('adds the newest set of each of the last M weeks', () => {
    const sets = ['2026-11-25', '2026-11-24', '2026-11-20', '2026-11-13', '2026-11-06', '2026-10-30'].map((d) => day(`${d}T03:00:00Z`));
    const keep = selectKeep(sets, 1, 3);
    assert.deepEqual([...keep].sort(), ['2026-11-13T03:00:00Z', '2026-11-20T03:00:00Z', '2026-11-25T03:00:00Z']);
  });

  it('always keeps the newest set, even with zero slots', () => {
    const sets = [day('2026-11-20T03:00:00Z'), day('2026-11-25T03:00:00Z')];
    assert.deepEqual([...selectKeep(sets, 0, 0)], ['2026-11-25T03:00:00Z']);
  });

  it('keeps nothing of an empty list', () => {
    assert.equal(selectKeep([], 7, 4).size, 0);
  });
});

describe('prune', () => {
  it('removes only complete sets of this project outside the policy', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gx-prune-'));
    const times = ['2026-11-25T03:00:00Z', '2026-11-24T03:00:00Z', '2026-11-23T03:00:00Z', '2026-11-22T03:00:00Z'];
    for (const t of times) await writeSet(dir, setName('galaxy', new Date(t)));
    // Not ours: another project's set, a partial, a foreign file, an incomplete set of ours.
    await writeSet(dir, setName('galaxy-two', new Date('2026-11-01T03:00:00Z')));
    mkdirSync(path.join(dir, '.galaxy-20261101T030000Z.partial'));
    writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
    mkdirSync(path.join(dir, setName('galaxy', new Date('2026-11-02T03:00:00Z'))));
    const result = prune(listSets(dir, 'galaxy'), 2, 0);
    assert.deepEqual(result.removed.sort(), ['galaxy-20261122T030000Z', 'galaxy-20261123T030000Z']);
    assert.deepEqual(result.skippedIncomplete, ['galaxy-20261102T030000Z']);
    assert.deepEqual(readdirSync(dir).sort(), [
      '.galaxy-20261101T030000Z.partial',
      'galaxy-20261102T030000Z',
      'galaxy-20261124T030000Z',
      'galaxy-20261125T030000Z',
      'galaxy-two-20261101T030000Z',
      'notes.txt',
    ]);
  });

  it('never removes the newest complete set when newer ones are incomplete', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gx-prune-'));
    await writeSet(dir, setName('galaxy', new Date('2026-11-20T03:00:00Z')));
    await writeSet(dir, setName('galaxy', new Date('2026-11-19T03:00:00Z')));
    mkdirSync(path.join(dir, setName('galaxy', new Date('2026-11-25T03:00:00Z'))));
    const result = prune(listSets(dir, 'galaxy'), 0, 0);
    assert.deepEqual(result.kept, ['galaxy-20261120T030000Z']);
    assert.deepEqual(result.removed, ['galaxy-20261119T030000Z']);
  });
});
