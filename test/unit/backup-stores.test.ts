// The galaxy.backup label: parsed and checked at the edge, mapped to one store kind each, and the
// plan of a backup built from the compose model alone (no service names in the code under test).
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { type BackupModel, type BackupService, parseBackupModel } from '../../scripts/lib/backup/services.ts';
import { checkRestored, countDifferences, type StoreEntry } from '../../scripts/lib/backup/stores/kind.ts';
import { dumpCompression } from '../../scripts/lib/backup/stores/postgres.ts';
import { BACKUP_LABEL, notBackedUpLine, parseBackupLabel, planBackup } from '../../scripts/lib/backup/stores/registry.ts';

function service(name: string, label?: string, volumes: Array<[string, string]> = [], dependsOn: string[] = []): BackupService {
  return {
    name,
    ports: [],
    labels: label === undefined ? {} : { [BACKUP_LABEL]: label },
    dependsOn,
    hasHealthcheck: true,
    build: false,
    profiles: [],
    volumes: volumes.map(([volume, target]) => ({ name: volume, target })),
    environment: {},
  };
}

describe('parseBackupLabel', () => {
  const app = service('notes', undefined, [['notes-data', '/srv/data']]);

  it('maps each kind name to its kind, with the argument after the first colon', () => {
    assert.equal(parseBackupLabel(app, 'postgres')?.kind.name, 'postgres');
    assert.equal(parseBackupLabel(app, 'redis')?.kind.name, 'redis');
    assert.equal(parseBackupLabel(app, 'volume')?.kind.name, 'volume');
    assert.deepEqual(parseBackupLabel(app, 'sqlite:/srv/data/notes.db')?.option, '/srv/data/notes.db');
    assert.equal(parseBackupLabel(app, ' postgres ')?.kind.name, 'postgres');
  });

  it('is undefined for none: a deliberate "not backed up"', () => {
    assert.equal(parseBackupLabel(app, 'none'), undefined);
  });

  it('refuses an unknown kind in one line naming the service and the label', () => {
    assert.throws(() => parseBackupLabel(app, 'mysql'), {
      message: "service notes: label galaxy.backup=mysql: unknown store kind 'mysql': use postgres, redis, sqlite:/PATH, volume or none",
    });
    assert.throws(() => parseBackupLabel(app, ''), /unknown store kind ''/);
  });

  it('refuses a bad sqlite path', () => {
    for (const bad of ['sqlite', 'sqlite:', 'sqlite:data/notes.db', 'sqlite:/srv/data/../notes.db', 'sqlite:/srv/data/', 'sqlite:/srv/data//x.db']) {
      assert.throws(
        () => parseBackupLabel(app, bad),
        (err: Error & { exitCode?: number }) => {
          assert.match(err.message, new RegExp(`^service notes: label galaxy\\.backup=${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
          assert.equal(err.exitCode, 2);
          return true;
        },
        bad,
      );
    }
    assert.throws(() => parseBackupLabel(app, 'sqlite:/tmp/notes.db'), {
      message: "service notes: label galaxy.backup=sqlite:/tmp/notes.db: /tmp/notes.db is on none of the service's named volumes",
    });
  });

  it('refuses arguments to kinds that take none, and volume on a service without a volume', () => {
    assert.throws(() => parseBackupLabel(app, 'postgres:/x'), /postgres takes no argument/);
    assert.throws(() => parseBackupLabel(app, 'redis:1'), /redis takes no argument/);
    assert.throws(() => parseBackupLabel(service('web'), 'volume'), { message: 'service web: label galaxy.backup=volume: the service mounts no named volume' });
  });
});

describe('planBackup', () => {
  const model: BackupModel = {
    project: 'shop',
    services: [
      service('orders-db', 'postgres', [['orders', '/var/lib/postgresql/data']]),
      service('sessions', 'redis', [['sessions-data', '/data']]),
      service('notes', 'sqlite:/data/notes.db', [['notes-data', '/data']]),
      service('uploads', 'volume', [
        ['files', '/srv/files'],
        ['thumbs', '/srv/thumbs'],
      ]),
      service('metrics', 'none', [['tsdb', '/prometheus']]),
      service('cache', undefined, [
        ['cache-a', '/a'],
        ['cache-b', '/b'],
      ]),
      service('api'),
    ],
  };

  it("lists every labelled service with its kind, in the model's order, and skips none", () => {
    const plan = planBackup(model);
    assert.deepEqual(
      plan.stores.map((s) => [s.service.name, s.kind.name, s.option]),
      [
        ['orders-db', 'postgres', ''],
        ['sessions', 'redis', ''],
        ['notes', 'sqlite', '/data/notes.db'],
        ['uploads', 'volume', ''],
      ],
    );
  });

  it('reports a service with a named volume and no label, and not a stateless one', () => {
    const plan = planBackup(model);
    assert.deepEqual(plan.notBackedUp, [{ service: 'cache', volumes: ['cache-a', 'cache-b'] }]);
    assert.equal(
      notBackedUpLine(plan.notBackedUp[0]),
      'not backed up: cache (volumes cache-a, cache-b); label it galaxy.backup=... (postgres, redis, sqlite:/PATH, volume or none)',
    );
    assert.equal(notBackedUpLine({ service: 'x', volumes: ['x-data'] }).startsWith('not backed up: x (volume x-data); label it galaxy.backup='), true);
  });

  it('fails on the first bad label before anything runs', () => {
    assert.throws(
      () => planBackup({ project: 'p', services: [service('db', 'postgress', [['d', '/d']])] }),
      /^Error: service db: label galaxy\.backup=postgress: unknown store kind/,
    );
  });
});

describe('parseBackupModel', () => {
  it('reads named volumes (not binds) and the environment the store kinds read from compose config JSON', () => {
    const json = JSON.stringify({
      name: 'shop',
      services: {
        'orders-db': {
          labels: { 'galaxy.backup': 'postgres' },
          environment: { POSTGRES_USER: 'shop', POSTGRES_DB: 'orders', POSTGRES_PASSWORD: 'secret', EMPTY: null },
          volumes: [
            { type: 'volume', source: 'orders', target: '/var/lib/postgresql/data' },
            { type: 'bind', source: '/etc/x', target: '/x' },
          ],
        },
        api: { depends_on: { 'orders-db': {} } },
      },
    });
    const model = parseBackupModel(json, ['POSTGRES_USER', 'POSTGRES_DB', 'EMPTY']);
    assert.deepEqual(
      model.services.map((s) => s.name),
      ['orders-db', 'api'],
    );
    assert.deepEqual(model.services[0].volumes, [{ name: 'orders', target: '/var/lib/postgresql/data' }]);
    // Only the names asked for: a password never reaches the model (it is cached on disk).
    assert.deepEqual(model.services[0].environment, { POSTGRES_USER: 'shop', POSTGRES_DB: 'orders', EMPTY: '' });
    assert.equal(model.services[0].labels['galaxy.backup'], 'postgres');
    assert.deepEqual(model.services[1].volumes, []);
  });
});

describe('verify verdicts', () => {
  const entry = (counts: Record<string, number>, countsExact: boolean): StoreEntry => ({
    service: 'notes',
    kind: 'sqlite',
    label: 'sqlite:/d/n.db',
    file: 'notes.db',
    bytes: 1,
    sha256: 'x',
    counts,
    countsExact,
    facts: {},
  });

  it('exact counts must match one for one, names missing on either side included', () => {
    assert.deepEqual(countDifferences({ a: 1, b: 2 }, { a: 1, b: 2 }), []);
    assert.deepEqual(countDifferences({ a: 1, b: 2 }, { a: 1, c: 2 }), [
      'b has nothing after restore, the manifest says 2',
      'c has 2 after restore, the manifest says nothing',
    ]);
    assert.throws(() => checkRestored(entry({ a: 3 }, true), { a: 2 }), { message: 'notes (sqlite): a has 2 after restore, the manifest says 3' });
  });

  it('counts read beside a live store need the same names, not the same numbers', () => {
    assert.deepEqual(checkRestored(entry({ a: 3 }, false), { a: 5 }), { a: 5 });
    assert.throws(() => checkRestored(entry({ a: 3, b: 1 }, false), { a: 3 }), { message: 'notes (sqlite): b is missing after restore' });
  });
});

test('postgres dumps compress with zstd where pg_dump has it (16 and newer), else with its default', () => {
  assert.equal(dumpCompression('pg_dump (PostgreSQL) 17.12 (Debian 17.12-0+deb13u1)'), 'zstd');
  assert.equal(dumpCompression('pg_dump (PostgreSQL) 16.0'), 'zstd');
  assert.equal(dumpCompression('pg_dump (PostgreSQL) 15.8'), undefined);
  assert.equal(dumpCompression('pg_dump (PostgreSQL) 9.6.24'), undefined);
  assert.equal(dumpCompression(''), undefined);
  assert.equal(dumpCompression('something else 17'), undefined);
});
