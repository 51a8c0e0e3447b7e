// What the report shows of backups: the newest complete set's stores, read from its manifest.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readBackupSettings } from '../../scripts/lib/backup/settings.ts';
import { describeCounts, newestBackup } from '../../scripts/lib/backup/summary.ts';
import { renderBackups } from '../../scripts/lib/report/backups.ts';
import { writeSet } from './backup-fixtures.ts';

describe("the report's backups section", () => {
  it("lists the newest complete set's stores from its manifest", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gx-r-'));
    const settings = readBackupSettings({ COMPOSE_PROJECT_NAME: 'shop', BACKUP_DIR: dir });
    await writeSet(dir, 'shop-20261124T030000Z');
    const newest = await writeSet(dir, 'shop-20261125T030000Z');
    // An incomplete newer set is skipped, not shown as the newest.
    rmSync(path.join(await writeSet(dir, 'shop-20261126T030000Z'), 'redis.rdb'));
    const summary = newestBackup(settings);
    assert.ok(!('missing' in summary));
    assert.equal(summary.name, path.basename(newest));
    const text = renderBackups(summary).join('\n');
    assert.match(text, /^Newest set `shop-20261125T030000Z`, written .*, \d+ bytes\. /m);
    assert.match(text, /^\| orders-db \| `postgres` \| postgres\.dump \| 8 \| items 1 \|$/m);
    assert.match(text, /^\| notes \| `sqlite:\/data\/notes\.db` \| memory\.db \| \d+ \| items 1 \|$/m);
  });

  it('says why there is nothing to show', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gx-r-'));
    const summary = newestBackup(readBackupSettings({ COMPOSE_PROJECT_NAME: 'shop', BACKUP_DIR: dir }));
    assert.deepEqual(summary, { missing: `no set of shop in ${dir} yet` });
    assert.deepEqual(renderBackups(summary), ['## Backups', '', `Not measured: no set of shop in ${dir} yet. Run \`make backup\`.`, '']);
  });

  it('names the services left undecided, and a set with no stores', () => {
    const text = renderBackups({
      name: 's',
      createdAt: 't',
      totalBytes: 1,
      encryption: 'none',
      stores: [],
      notBackedUp: [{ service: 'cache', volumes: ['cache-a'] }],
    }).join('\n');
    assert.match(text, /No service was labelled `galaxy\.backup`: the set holds the config only\./);
    assert.match(text, /^- Not backed up: cache \(cache-a\): no `galaxy\.backup` label\.$/m);
  });

  it('summarises counts in a few words', () => {
    assert.equal(describeCounts({ keys: 6 }), 'keys 6');
    assert.equal(describeCounts({}), 'nothing to count');
    assert.equal(describeCounts({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }), 'a 1, b 2, c 3, d 4 and 2 more');
  });
});
