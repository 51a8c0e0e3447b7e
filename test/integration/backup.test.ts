// Backup and restore end to end on a throwaway stack (postgres, redis, memory-api), through the
// real scripts: data identical after the volumes are destroyed and restored (a set of this
// installation needs no --trust-foreign-set; .env only in encrypted sets), a changed byte refused,
// a killed run leaves no set, two concurrent runs exclude each other, verify and encryption work,
// and the stores are the services the compose file labels (an unlabelled volume is named).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { $ } from 'zx';
import { type Manifest, listSets } from '../../scripts/lib/backup/manifest.ts';
import { buildOfflineImages } from '../../scripts/lib/images/build.ts';
import { loadManifest } from '../../scripts/lib/images/manifest.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { projectFiles } from '../../scripts/lib/state/files.ts';
import { type Fingerprint, fingerprint, labelledCopy, psql, writeData } from './helpers/backup.ts';
import { TestStack, explain } from '../harness/stack.ts';

const STORES = ['postgres', 'redis', 'memory-api'];
const stack = new TestStack();
const work = mkdtempSync(path.join(tmpdir(), 'gx-backup-'));
const backupDir = path.join(work, 'sets');
const setsNow = () => listSets(backupDir, stack.project);

async function upStores(): Promise<void> {
  const up = await stack.compose(['up', '--detach', '--wait', '--wait-timeout', '300', ...STORES]);
  assert.equal(up.exitCode, 0, explain(up));
}

async function running(service: string): Promise<boolean> {
  const out = await stack.compose(['ps', '--status', 'running', '--services']);
  return out.stdout.split('\n').includes(service);
}

describe('backup and restore', { timeout: 30 * 60_000 }, () => {
  let before1: Fingerprint;

  before(async () => {
    await buildOfflineImages(['postgres', 'redis', 'python']);
    const images = loadManifest().images;
    await stack.init({
      IMAGE_SOURCE: 'offline',
      POSTGRES_IMAGE: images.postgres.offline,
      REDIS_IMAGE: images.redis.offline,
      PYTHON_IMAGE: images.python.offline,
    });
    // Backup settings are appended: the process environment may override them per run.
    appendFileSync(
      stack.envFile,
      [
        `BACKUP_DIR=${backupDir}`,
        `BACKUP_LOG_FILE=${path.join(work, 'backup.log')}`,
        `BACKUP_METRICS_DIR=${path.join(work, 'textfile')}`,
        'BACKUP_KEEP_DAILY=7',
        'BACKUP_KEEP_WEEKLY=4',
        'BACKUP_ENCRYPT_RECIPIENT=',
        'BACKUP_ENCRYPT_IDENTITY=',
        'BACKUP_OFFSITE_COMMAND=',
        '',
      ].join('\n'),
    );
    await upStores();
  });

  after(async () => {
    await stack.destroy();
    rmSync(work, { recursive: true, force: true });
    rmSync(projectFiles(stack.project).lock, { force: true });
  });

  test('data is identical after backup, destroyed volumes and restore', async () => {
    await writeData(stack);
    before1 = await fingerprint(stack);
    assert.equal(before1.postgres.bk_items.split(' ')[0], '5000');
    assert.equal(before1.sqlite.bk_direct[0], 300);
    assert.equal(before1.sqlite.knowledge[0], 20);
    assert.equal(before1.redis.keys, 6);

    const backup = await stack.script('backup');
    assert.equal(backup.exitCode, 0, explain(backup));
    const sets = setsNow();
    assert.equal(sets.length, 1);
    assert.deepEqual(readdirSync(sets[0].dir).sort(), [
      'config',
      'manifest.hmac',
      'manifest.json',
      'manifest.sha256',
      'memory-api.db',
      'postgres.dump',
      'redis.rdb',
    ]);
    // Not encrypted, so the passwords in .env stay out of the set, and the run says so.
    assert.equal(existsSync(path.join(sets[0].dir, 'config', '.env')), false);
    assert.match(backup.stdout, /^backup: config: \.env left out \(the set is not encrypted/m);
    const metrics = readFileSync(path.join(work, 'textfile', `galaxy_backup_${stack.project}.prom`), 'utf8');
    for (const name of ['galaxy_backup_last_success_timestamp_seconds', 'galaxy_backup_last_duration_seconds', 'galaxy_backup_last_size_bytes'])
      assert.match(metrics, new RegExp(`^${name}\\{`, 'm'));
    assert.match(readFileSync(path.join(work, 'backup.log'), 'utf8'), /backup: ok: /);

    const down = await stack.compose(['down', '--volumes', '--timeout', '5']);
    assert.equal(down.exitCode, 0, explain(down));
    await upStores();
    const empty = await fingerprint(stack);
    assert.notDeepEqual(empty, before1, 'fresh volumes should not hold the data yet');

    // A set this installation made restores without --trust-foreign-set.
    const restore = await stack.script('restore');
    assert.equal(restore.exitCode, 0, explain(restore));
    assert.match(restore.stdout, /holds no \.env \(unencrypted sets leave it out\)/);
    assert.deepEqual(await fingerprint(stack), before1);
    const api = await fetch(stack.url('MEMORY_API_PORT', '/knowledge?limit=100'), { signal: AbortSignal.timeout(10_000) });
    assert.equal(((await api.json()) as { count: number }).count, 20);
  });

  test('backup-verify restores the newest set into throwaway containers and leaves nothing behind', async () => {
    const verify = await stack.script('backup-verify');
    assert.equal(verify.exitCode, 0, explain(verify));
    assert.match(verify.stdout, /postgres +public\.bk_items +5000/);
    assert.match(verify.stdout, /sqlite +bk_direct +300/);
    assert.match(verify.stdout, /verified/);
    const left = await $`docker ps -a --filter ${`label=com.docker.compose.project=${stack.project}-verify`} -q`.quiet().timeout('20s');
    const volumes = (await $`docker volume ls -q`.quiet().timeout('20s')).stdout.split('\n').filter((v) => v.startsWith(`${stack.project}-verify-`));
    assert.equal(left.stdout.trim(), '');
    assert.deepEqual(volumes, []);
  });

  test('one changed byte makes restore refuse, naming the file, before anything is stopped', async () => {
    const original = setsNow()[0].dir;
    const copy = path.join(backupDir, `${stack.project}-20000101T000000Z`);
    cpSync(original, copy, { recursive: true });
    const file = path.join(copy, 'postgres.dump');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(file, bytes);
    await psql(stack, 'INSERT INTO bk_empty VALUES (1)');
    const restore = await stack.script('restore', [path.basename(copy)]);
    assert.equal(restore.exitCode, 1, explain(restore));
    assert.match(restore.stderr, /^error: set .*-20000101T000000Z is corrupt: postgres\.dump does not match its sha256 in the manifest$/m);
    assert.equal(await running('memory-api'), true);
    assert.equal((await psql(stack, 'SELECT count(*) FROM bk_empty')).trim(), '1', 'the database was touched');
    rmSync(copy, { recursive: true });
  });

  test('a backup killed mid-way leaves no set that looks valid', async () => {
    const before = setsNow().map((s) => s.name);
    const child = spawn(path.join(projectRoot, 'scripts', 'backup.sh'), [], { env: { ...process.env, ...stack.env }, detached: true, stdio: 'ignore' });
    let partial: string | undefined;
    for (let i = 0; i < 600 && !partial; i++) {
      partial = existsSync(backupDir) ? readdirSync(backupDir).find((n) => n.endsWith('.partial')) : undefined;
      if (!partial) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(partial, 'the backup never started writing');
    process.kill(-(child.pid as number), 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.deepEqual(
      setsNow().map((s) => s.name),
      before,
      'a killed run produced a set',
    );
    const next = await stack.script('backup');
    assert.equal(next.exitCode, 0, explain(next));
    assert.match(next.stdout, /removed \.[^ ]+\.partial, left by an interrupted run/);
    assert.equal(readdirSync(backupDir).filter((n) => n.endsWith('.partial')).length, 0);
  });

  test('a backup stopped with SIGTERM removes its unfinished set and exits non-zero', async () => {
    const before = setsNow().map((s) => s.name);
    const child = spawn(path.join(projectRoot, 'scripts', 'backup.sh'), [], {
      env: { ...process.env, ...stack.env },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // 'close', not 'exit': only then has all of its stderr been read (on a loaded machine 'exit' comes first).
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    let partial: string | undefined;
    for (let i = 0; i < 600 && !partial; i++) {
      partial = existsSync(backupDir) ? readdirSync(backupDir).find((n) => n.endsWith('.partial')) : undefined;
      if (!partial) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(partial, 'the backup never started writing');
    process.kill(-(child.pid as number), 'SIGTERM');
    const code = await exited;
    assert.notEqual(code, 0);
    assert.match(stderr, /^error: backup stopped by SIGTERM; the unfinished set was removed$/m);
    assert.deepEqual(
      readdirSync(backupDir).filter((n) => n.endsWith('.partial')),
      [],
    );
    assert.deepEqual(
      setsNow().map((s) => s.name),
      before,
    );
  });

  test('two concurrent backups: one runs, the other refuses with a clear message', async () => {
    const [a, b] = await Promise.all([stack.script('backup'), stack.script('backup')]);
    assert.deepEqual([a.exitCode, b.exitCode].sort(), [0, 1], `${explain(a)}\n${explain(b)}`);
    const loser = a.exitCode === 1 ? a : b;
    assert.match(loser.stderr, /^error: busy: backup \(pid \d+\) since \S+; retry or pass --wait-lock$/m);
  });

  test('with BACKUP_ENCRYPT_RECIPIENT every file is age-encrypted and still restores', async (t) => {
    if ((await $`command -v age age-keygen`.quiet().nothrow()).exitCode !== 0) {
      t.skip('age is not installed (apt-get install age)');
      return;
    }
    const identity = path.join(work, 'identity.txt');
    await $`age-keygen -o ${identity}`.quiet().timeout('10s');
    const recipient = (await $`age-keygen -y ${identity}`.quiet().timeout('10s')).stdout.trim();
    const env = { BACKUP_ENCRYPT_RECIPIENT: recipient, BACKUP_ENCRYPT_IDENTITY: identity };
    await new Promise((r) => setTimeout(r, 1100));
    const backup = await stack.script('backup', [], env);
    assert.equal(backup.exitCode, 0, explain(backup));
    const set = setsNow()[0].dir;
    const manifest = JSON.parse(readFileSync(path.join(set, 'manifest.json'), 'utf8')) as { files: Array<{ path: string }> };
    assert.ok(
      manifest.files.every((f) => f.path.endsWith('.age')),
      JSON.stringify(manifest.files),
    );
    assert.ok(
      manifest.files.some((f) => f.path === 'config/.env.age'),
      'an encrypted set carries .env',
    );
    assert.equal(readFileSync(path.join(set, 'postgres.dump.age')).subarray(0, 21).toString(), 'age-encryption.org/v1');
    const noKey = await stack.script('restore', [], { BACKUP_ENCRYPT_IDENTITY: '' });
    assert.equal(noKey.exitCode, 2, explain(noKey));
    assert.match(noKey.stderr, /set BACKUP_ENCRYPT_IDENTITY/);
    await psql(stack, 'DELETE FROM bk_items WHERE id > 10');
    const restore = await stack.script('restore', [], env);
    assert.equal(restore.exitCode, 0, explain(restore));
    assert.equal((await fingerprint(stack)).postgres.bk_items, before1.postgres.bk_items);
  });

  test('the offsite command gets the set path; its failure fails the run but keeps the set', async () => {
    const target = path.join(work, 'offsite');
    await new Promise((r) => setTimeout(r, 1100));
    const ok = await stack.script('backup', [], { BACKUP_OFFSITE_COMMAND: `mkdir -p ${target} && cp -r "$1" ${target}/` });
    assert.equal(ok.exitCode, 0, explain(ok));
    assert.deepEqual(readdirSync(target), [setsNow()[0].name]);
    await new Promise((r) => setTimeout(r, 1100));
    const failed = await stack.script('backup', [], { BACKUP_OFFSITE_COMMAND: 'echo no route to the offsite host >&2; exit 3' });
    assert.equal(failed.exitCode, 1, explain(failed));
    assert.match(failed.stderr, /^error: set .* is complete locally, but the offsite copy failed \(exit 3\): no route to the offsite host$/m);
    assert.ok(setsNow()[0].name !== readdirSync(target)[0]);
  });

  test('labels choose the stores: a volume store round-trips, an unlabelled volume is named', async (t) => {
    const copy = await labelledCopy(stack, path.join(work, 'labelled'), loadManifest().images.python.offline);
    t.after(async () => {
      await copy.compose(['rm', '--stop', '--force', '--volumes', 'files', 'scratch']).catch(() => undefined);
      await $`docker volume rm -f ${`${stack.project}_files-data`} ${`${stack.project}_scratch-data`}`.quiet().nothrow();
    });
    await copy.compose(['up', '--detach', '--wait', '--wait-timeout', '120', 'files']);
    const running = await stack.compose(['ps', '--status', 'running', '--services']);
    for (const service of ['postgres', 'redis', 'memory-api'])
      assert.match(running.stdout, new RegExp(`^${service}$`, 'm'), `the copy's up left ${service} alone`);
    await copy.compose(['exec', '-T', 'files', 'sh', '-c', 'mkdir -p /srv/files/a && echo one > /srv/files/a/1.txt && echo two > /srv/files/2.txt']);
    await new Promise((r) => setTimeout(r, 1100));

    const backup = await stack.script('backup', [], copy.env);
    assert.equal(backup.exitCode, 0, explain(backup));
    assert.match(
      backup.stdout,
      /^backup: not backed up: scratch \(volume scratch-data\); label it galaxy\.backup=\.\.\. \(postgres, redis, sqlite:\/PATH, volume or none\)$/m,
    );
    // The monitoring volumes are labelled none: decided, so not reported.
    assert.equal(backup.stdout.match(/not backed up:/g)?.length, 1, backup.stdout);
    const manifest = JSON.parse(readFileSync(path.join(setsNow()[0].dir, 'manifest.json'), 'utf8')) as Manifest;
    assert.deepEqual(manifest.stores.map((s) => [s.service, s.kind, s.file]).sort(), [
      ['files', 'volume', 'files.tar'],
      ['memory-api', 'sqlite', 'memory-api.db'],
      ['postgres', 'postgres', 'postgres.dump'],
      ['redis', 'redis', 'redis.rdb'],
    ]);
    assert.deepEqual(manifest.stores.find((s) => s.service === 'files')?.counts, { files: 2 });
    assert.deepEqual(manifest.notBackedUp, [{ service: 'scratch', volumes: ['scratch-data'] }]);
    assert.match(await copy.compose(['ps', '--status', 'running', '--services']), /^files$/m, 'the volume backup left its service stopped');

    await copy.compose(['exec', '-T', 'files', 'sh', '-c', 'rm /srv/files/2.txt && echo three > /srv/files/3.txt']);
    const restore = await stack.script('restore', [], copy.env);
    assert.equal(restore.exitCode, 0, explain(restore));
    assert.match(restore.stdout, /^restore: files: volume data replaced from files\.tar$/m);
    const after = await copy.compose(['exec', '-T', 'files', 'sh', '-c', 'cd /srv/files && find . -type f | sort && cat a/1.txt 2.txt']);
    assert.equal(after.trim(), './2.txt\n./a/1.txt\none\ntwo');

    const verify = await stack.script('backup-verify', [], copy.env);
    assert.equal(verify.exitCode, 0, explain(verify));
    assert.match(verify.stdout, /files +volume +files +2/);
    assert.match(verify.stdout, /^ *memory-api +sqlite +/m);
  });
});
