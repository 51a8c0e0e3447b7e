import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isPartialOf, parseSetName, partialName, readBackupSettings, setName, stamp } from '../../scripts/lib/backup/settings.ts';
import { renderMetrics } from '../../scripts/lib/backup/report.ts';
import { writersOf } from '../../scripts/lib/backup/run-restore.ts';
import type { ComposeModel, ServiceModel } from '../../scripts/lib/compose.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';

describe('set names', () => {
  const at = new Date('2026-11-25T23:45:07.123Z');
  it('are the project and a sortable UTC stamp', () => {
    assert.equal(stamp(at), '20261125T234507Z');
    assert.equal(setName('galaxy', at), 'galaxy-20261125T234507Z');
  });
  it('parse back to the second, for this project only', () => {
    assert.equal(parseSetName('galaxy', 'galaxy-20261125T234507Z')?.toISOString(), '2026-11-25T23:45:07.000Z');
    assert.equal(parseSetName('galaxy', 'galaxy-test-20261125T234507Z'), undefined);
    assert.equal(parseSetName('galaxy', 'galaxy-20261125T234507Z.old'), undefined);
    assert.equal(parseSetName('galaxy', partialName('galaxy-20261125T234507Z')), undefined);
  });
  it('a partial is recognised as ours but never as a set', () => {
    assert.equal(isPartialOf('galaxy', '.galaxy-20261125T234507Z.partial'), true);
    assert.equal(isPartialOf('galaxy', '.other-20261125T234507Z.partial'), false);
  });
});

describe('readBackupSettings', () => {
  it('has defaults for every variable', () => {
    const s = readBackupSettings({ COMPOSE_PROJECT_NAME: 'galaxy' });
    assert.equal(s.dir, path.join(projectRoot, 'backups'));
    assert.equal(s.keepDaily, 7);
    assert.equal(s.keepWeekly, 4);
    assert.equal(s.encryptRecipient, '');
    assert.equal(s.offsiteCommand, '');
    assert.equal(s.logFile, path.join(projectRoot, '.run', 'backup.log'));
    assert.equal(s.metricsDir, path.join(projectRoot, '.run', 'textfile'));
  });
  it('reads the .env values and refuses bad ones', () => {
    const s = readBackupSettings({ COMPOSE_PROJECT_NAME: 'x', BACKUP_DIR: '/srv/backups', BACKUP_KEEP_DAILY: '3', BACKUP_KEEP_WEEKLY: '0' });
    assert.deepEqual([s.dir, s.keepDaily, s.keepWeekly], ['/srv/backups', 3, 0]);
    assert.throws(() => readBackupSettings({ BACKUP_KEEP_DAILY: 'seven' }), /BACKUP_KEEP_DAILY=seven: use a whole number/);
    assert.throws(() => readBackupSettings({ BACKUP_ENCRYPT_RECIPIENT: 'not-a-key' }), /use an age public key/);
  });
});

describe('renderMetrics', () => {
  it('writes the three contract metrics with a project label', () => {
    const text = renderMetrics({ project: 'galaxy', finishedAt: new Date(1_700_000_000_000), durationSeconds: 12.3456, sizeBytes: 4096 });
    assert.match(text, /^galaxy_backup_last_success_timestamp_seconds\{project="galaxy"\} 1700000000$/m);
    assert.match(text, /^galaxy_backup_last_duration_seconds\{project="galaxy"\} 12\.346$/m);
    assert.match(text, /^galaxy_backup_last_size_bytes\{project="galaxy"\} 4096$/m);
    assert.equal(text.match(/^# TYPE .* gauge$/gm)?.length, 3);
  });
});

describe('writersOf', () => {
  const svc = (name: string, dependsOn: string[] = []): ServiceModel => ({
    name,
    dependsOn,
    ports: [],
    labels: {},
    hasHealthcheck: true,
    build: false,
    profiles: [],
  });
  it('is everything that depends on a store service, transitively, and not the stores themselves', () => {
    const model: ComposeModel = {
      project: 'shop',
      services: [
        svc('orders-db'),
        svc('sessions'),
        svc('notes'),
        svc('notes-ui', ['notes']),
        svc('api', ['orders-db', 'sessions', 'notes-ui']),
        svc('web', ['api']),
        svc('metrics'),
      ],
    };
    assert.deepEqual(writersOf(model, ['orders-db', 'sessions', 'notes']), ['notes-ui', 'api', 'web']);
    assert.deepEqual(writersOf(model, ['sessions']), ['api', 'web']);
    assert.deepEqual(writersOf(model, []), []);
  });
});
