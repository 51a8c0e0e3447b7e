// Backup time for a generated PostgreSQL database of at least 500 MB, next to a plain
// `pg_dump -Fc` of the same database in the same run. Runs on a throwaway stack of only the stores
// a backup reads, removed at the end even on failure. Which services those are comes from compose:
// the ones labelled `galaxy.backup` (not `none`), the database the one labelled `postgres`; the
// offline images they need are the ones `docker compose config` resolves for them.
// Usage: tsx bench/backup.ts [--runs N] (or BENCH_RUNS=N). Figures as JSON on stdout, progress on stderr.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { listSets, readManifest } from '../scripts/lib/backup/manifest.ts';
import { postgres as postgresStore } from '../scripts/lib/backup/stores/postgres.ts';
import { parseComposeConfig } from '../scripts/lib/compose.ts';
import { buildOfflineImages } from '../scripts/lib/images/build.ts';
import { loadManifest } from '../scripts/lib/images/manifest.ts';
import { projectRoot } from '../scripts/lib/paths.ts';
import { projectFiles } from '../scripts/lib/state/files.ts';
import { TestStack, explain } from '../test/harness/stack.ts';
import { figure, measurement } from './lib/figure.ts';
import { childOptions, parseRuns, runsOption } from './lib/options.ts';

const MIN_BYTES = 500 * 1024 * 1024;
const runs = childOptions(
  {
    name: 'bench/backup.ts',
    summary: 'Backup of a generated database of at least 500 MB, next to a plain pg_dump of the same data.',
    options: { runs: runsOption },
    examples: ['tsx bench/backup.ts --runs 5'],
  },
  (values) => parseRuns(values.runs),
);
const log = (line: string) => process.stderr.write(`bench backup: ${line}\n`);

const stack = new TestStack();
const work = mkdtempSync(path.join(tmpdir(), 'gx-bench-backup-'));

async function must(args: string[]): Promise<string> {
  const out = await stack.compose(args);
  if (out.exitCode !== 0) throw new Error(`compose ${args.slice(0, 3).join(' ')} failed: ${explain(out)}`);
  return out.stdout;
}

/** The services a backup reads (labelled galaxy.backup), the database among them, and the offline images they run on. */
async function backupStores(): Promise<{ stores: string[]; database: string; images: string[] }> {
  const config = await must(['config', '--format', 'json']);
  const stores = parseComposeConfig(config).services.filter((s) => s.labels['galaxy.backup'] && s.labels['galaxy.backup'] !== 'none');
  // The database is the store of the PostgreSQL kind (label `<kind>[:option]`), named by the kind itself.
  const database = stores.find((s) => s.labels['galaxy.backup'].split(':')[0] === postgresStore.name)?.name;
  if (!database) throw new Error(`no service is labelled galaxy.backup: ${postgresStore.name}`);
  // The image names as compose resolved them (image, build arguments), matched to the offline set.
  const raw = JSON.parse(config) as { services: Record<string, { image?: string; build?: { args?: Record<string, string> } }> };
  const used = new Set(stores.flatMap((s) => [raw.services[s.name]?.image, ...Object.values(raw.services[s.name]?.build?.args ?? {})]));
  const images = Object.entries(loadManifest().images)
    .filter(([, image]) => used.has(image.offline))
    .map(([folder]) => folder);
  return { stores: stores.map((s) => s.name), database, images };
}

let database = '';
const psql = (sql: string) =>
  must(['exec', '-T', database, 'sh', '-c', 'exec psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -v ON_ERROR_STOP=1 -At -c "$1"', 'sh', sql]);

/** The plain way, as a person would type it: `docker compose exec -T <database> pg_dump -Fc > file`. */
function plainDump(file: string): Promise<void> {
  const args = [
    'compose',
    '--project-directory',
    projectRoot,
    '--env-file',
    stack.envFile,
    '-p',
    stack.project,
    '-f',
    path.join(projectRoot, 'docker-compose.yml'),
    'exec',
    '-T',
    database,
    'sh',
    '-c',
    'exec pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Fc',
  ];
  const fd = openSync(file, 'w');
  return new Promise((resolve, reject) => {
    // Node's spawn, not zx: the dump goes straight into the file instead of through memory.
    const child = spawn('docker', args, { stdio: ['ignore', fd, 'inherit'], timeout: 3_600_000 });
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`plain pg_dump exited ${code}`));
    });
  });
}

async function seconds(body: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await body();
  return (performance.now() - started) / 1000;
}

/** Runs `body` with its stdout lines sent to stderr: stdout carries only the figures' JSON. */
async function progressToStderr<T>(body: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await body();
  } finally {
    process.stdout.write = write;
  }
}

const loadAtStart = loadavg()[0];
try {
  // Offline stand-ins for every image variable, so nothing reaches for a registry.
  await stack.init({ IMAGE_SOURCE: 'offline', ...Object.fromEntries(Object.values(loadManifest().images).map((image) => [image.variable, image.offline])) });
  appendFileSync(
    stack.envFile,
    [`BACKUP_DIR=${path.join(work, 'sets')}`, `BACKUP_LOG_FILE=${path.join(work, 'backup.log')}`, `BACKUP_METRICS_DIR=${path.join(work, 'textfile')}`, ''].join(
      '\n',
    ),
  );
  const found = await backupStores();
  const { stores, images } = found;
  database = found.database;
  log(`stores: ${stores.join(', ')} (database ${database}); offline images: ${images.join(', ')}`);
  await progressToStderr(() => buildOfflineImages(images));
  await must(['up', '--detach', '--wait', '--wait-timeout', '300', ...stores]);

  // Text that compresses like real rows (hex digests, not repeated characters), ~190 bytes a row.
  log('generating the database (about a minute)');
  const generate = await seconds(async () => {
    await psql(
      `CREATE TABLE bench_events AS SELECT g AS id, now() - g * interval '1 second' AS at, md5(g::text) || md5((g * 7)::text) AS a, md5(random()::text) || md5(random()::text) AS b, (random() * 1e6)::int AS n FROM generate_series(1, 3000000) g`,
    );
    await psql('ALTER TABLE bench_events ADD PRIMARY KEY (id)');
  });
  let size = Number((await psql('SELECT pg_database_size(current_database())')).trim());
  for (let extra = 0; size < MIN_BYTES && extra < 5; extra++) {
    await psql(
      `INSERT INTO bench_events SELECT g, now(), md5(g::text), md5(random()::text), 0 FROM generate_series(${3000001 + extra * 1000000}, ${3000000 + (extra + 1) * 1000000}) g`,
    );
    size = Number((await psql('SELECT pg_database_size(current_database())')).trim());
  }
  if (size < MIN_BYTES) throw new Error(`the generated database is only ${size} bytes`);
  log(`database: ${(size / 1024 / 1024).toFixed(0)} MB in ${generate.toFixed(0)} s`);
  await psql('CHECKPOINT');

  const ours: number[] = [];
  const plain: number[] = [];
  let plainBytes = 0;
  const plainFile = path.join(work, 'plain.dump');
  for (let i = 0; i < runs; i++) {
    // Alternating order, so neither side always runs with the warmer page cache.
    const order = i % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
    for (const which of order) {
      if (which === 'ours') {
        ours.push(
          await seconds(async () => {
            const out = await stack.script('backup', [], {}, '3600s');
            if (out.exitCode !== 0) throw new Error(`backup.sh failed: ${explain(out)}`);
          }),
        );
        log(`run ${i + 1}/${runs}: backup.sh ${ours.at(-1)?.toFixed(1)} s`);
      } else {
        plain.push(await seconds(() => plainDump(plainFile)));
        plainBytes = statSync(plainFile).size;
        rmSync(plainFile);
        log(`run ${i + 1}/${runs}: plain pg_dump ${plain.at(-1)?.toFixed(1)} s`);
      }
    }
  }
  const newest = listSets(path.join(work, 'sets'), stack.project)[0];
  const dump = readManifest(newest.dir).stores.find((s) => s.service === database);
  if (!dump) throw new Error(`the newest set ${newest.name} has no store of ${database}`);
  const dumpBytes = statSync(path.join(newest.dir, dump.file)).size;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
  const note =
    `database ${mb(size)} (pg_database_size, 3M+ rows), dump ${mb(dumpBytes)} compressed with ${dump.facts.compression ?? 'gzip'} (plain pg_dump ${mb(plainBytes)}, gzip: -Fc's default); backup.sh includes process start, ` +
    'Redis BGSAVE, the SQLite online backup, the config copy, sha256 of every file, fsync, rename and retention; both stream the dump from the container to a file on the host; ' +
    `host load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end (${cpus().length} CPUs): other work on the host spreads the runs`;
  const backup = figure('backup.duration', './scripts/backup.sh', ours, {
    note,
    comparison: measurement('plain pg_dump -Fc of the same database', `docker compose exec -T ${database} pg_dump -Fc > file`, plain, 's'),
  });
  process.stdout.write(`${JSON.stringify({ figures: [backup] }, null, 2)}\n`);
} finally {
  await stack.destroy();
  rmSync(work, { recursive: true, force: true });
  rmSync(projectFiles(stack.project).lock, { force: true });
}
