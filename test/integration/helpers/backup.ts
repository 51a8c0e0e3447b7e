// Fingerprints of every store of a test stack (row counts and content hashes), and the data the
// backup test writes: through memory-api's HTTP API and directly into each store.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { $ } from 'zx';
import { projectRoot } from '../../../scripts/lib/paths.ts';
import { runDir } from '../../../scripts/lib/state/files.ts';
import type { TestStack } from '../../harness/stack.ts';

async function run(stack: TestStack, args: string[]): Promise<string> {
  const out = await stack.compose(args);
  if (out.exitCode !== 0) throw new Error(`compose ${args.slice(0, 4).join(' ')} failed: ${out.stderr.trim().slice(-500)}`);
  return out.stdout;
}

export const psql = (stack: TestStack, sql: string) =>
  run(stack, ['exec', '-T', 'postgres', 'sh', '-c', 'exec psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -v ON_ERROR_STOP=1 -At -c "$1"', 'sh', sql]);

export const redisCli = (stack: TestStack, ...args: string[]) => run(stack, ['exec', '-T', 'redis', 'redis-cli', '--no-auth-warning', ...args]);

const sqlitePy = (stack: TestStack, code: string) => run(stack, ['exec', '-T', 'memory-api', 'python3', '-c', code]);

export async function writeData(stack: TestStack): Promise<void> {
  await psql(
    stack,
    `CREATE TABLE IF NOT EXISTS bk_items (id serial PRIMARY KEY, name text NOT NULL, payload bytea, at timestamptz DEFAULT now());
    INSERT INTO bk_items (name, payload) SELECT 'item-' || g, decode(md5(g::text), 'hex') FROM generate_series(1, 5000) g;
    CREATE TABLE IF NOT EXISTS bk_empty (id int);`,
  );
  await redisCli(stack, 'MSET', 'bk:s1', 'one', 'bk:s2', 'two words', 'bk:n', '42');
  await redisCli(stack, 'HSET', 'bk:h', 'f1', 'v1', 'f2', 'v2');
  await redisCli(stack, 'RPUSH', 'bk:l', 'a', 'b', 'c');
  await redisCli(stack, 'SADD', 'bk:set', 'x', 'y');
  for (let i = 0; i < 20; i++) {
    const res = await fetch(stack.url('MEMORY_API_PORT', '/knowledge'), {
      method: 'POST',
      headers: stack.writeHeaders(),
      body: JSON.stringify({ kind: 'fact', title: `fact ${i}`, content: `backup test fact number ${i}`, tags: ['backup'] }),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 201) throw new Error(`POST /knowledge answered ${res.status}: ${await res.text()}`);
  }
  await sqlitePy(
    stack,
    `
import os, sqlite3
db = sqlite3.connect(os.environ["MEMORY_DB_PATH"])
db.execute("CREATE TABLE IF NOT EXISTS bk_direct (k TEXT PRIMARY KEY, v BLOB)")
db.executemany("INSERT OR REPLACE INTO bk_direct VALUES (?, ?)", [("k%d" % i, os.urandom(64)) for i in range(300)])
db.commit()
`,
  );
}

const REDIS_DIGEST = `
local keys = redis.call('KEYS', '*')
table.sort(keys)
local out = {}
for _, k in ipairs(keys) do
  local t = redis.call('TYPE', k).ok
  local v
  if t == 'string' then v = {redis.call('GET', k)}
  elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1)
  elseif t == 'set' then v = redis.call('SMEMBERS', k); table.sort(v)
  elseif t == 'hash' then
    local f = redis.call('HKEYS', k); table.sort(f); v = {}
    for _, name in ipairs(f) do table.insert(v, name); table.insert(v, redis.call('HGET', k, name)) end
  else v = {'(type ' .. t .. ')'} end
  table.insert(out, k .. '|' .. t .. '|' .. table.concat(v, ','))
end
return table.concat(out, '\\n')`;

const SQLITE_DIGEST = `
import hashlib, json, os, sqlite3
db = sqlite3.connect(os.environ["MEMORY_DB_PATH"])
out = {}
for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"):
    rows = sorted(repr(r) for r in db.execute('SELECT * FROM "%s"' % name))
    out[name] = [len(rows), hashlib.sha256("\\n".join(rows).encode()).hexdigest()]
print(json.dumps(out, sort_keys=True))
`;

export interface Fingerprint {
  postgres: Record<string, string>;
  redis: { keys: number; sha256: string };
  sqlite: Record<string, [number, string]>;
}

export async function fingerprint(stack: TestStack): Promise<Fingerprint> {
  const tables = (await psql(stack, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).trim().split('\n').filter(Boolean);
  const postgres: Record<string, string> = {};
  for (const t of tables)
    postgres[t] = (await psql(stack, `SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '-') FROM "${t}" x`)).trim();
  const dump = await redisCli(stack, 'EVAL', REDIS_DIGEST, '0');
  const keys = Number((await redisCli(stack, 'DBSIZE')).trim());
  const sqlite = JSON.parse((await sqlitePy(stack, SQLITE_DIGEST)).trim()) as Fingerprint['sqlite'];
  return { postgres, redis: { keys, sha256: createHash('sha256').update(dump).digest('hex') }, sqlite };
}

/**
 * The stack's compose file plus two services only a test has, in a folder of its own that
 * GALAXY_ROOT points the scripts at: `files` (a named volume, `galaxy.backup: volume`) and
 * `scratch` (a named volume and no label). `compose` runs against that copy. The copy shares the
 * stack's .run/ (its lock and saved start choices): it is the same project seen with two more services.
 */
export async function labelledCopy(stack: TestStack, root: string, pythonImage: string) {
  mkdirSync(root, { recursive: true });
  // The stack's own resolved model (its images, absolute paths, interpolated values), not the YAML
  // text: a copy of the text resolved relative paths and image names in another folder, so the
  // scripts' `up` there recreated postgres, redis and memory-api from images that do not exist.
  const resolved = await stack.compose(['config', '--format', 'yaml']);
  if (resolved.exitCode !== 0) throw new Error(`compose config failed: ${resolved.stderr.trim().slice(-500)}`);
  const doc = YAML.parseDocument(resolved.stdout);
  // Exits at once on SIGTERM (a plain sleep as PID 1 would wait out the whole stop timeout).
  const idle = ['python3', '-c', 'import signal, time; signal.signal(signal.SIGTERM, lambda *a: exit(0)); time.sleep(86400)'];
  doc.setIn(
    ['services', 'files'],
    doc.createNode({ image: pythonImage, command: idle, volumes: ['files-data:/srv/files'], labels: { 'galaxy.backup': 'volume' } }),
  );
  doc.setIn(['services', 'scratch'], doc.createNode({ image: pythonImage, command: idle, volumes: ['scratch-data:/scratch'] }));
  doc.setIn(['volumes', 'files-data'], doc.createNode({}));
  doc.setIn(['volumes', 'scratch-data'], doc.createNode({}));
  writeFileSync(path.join(root, 'docker-compose.yml'), String(doc));
  // The scripts check .env against the example of the folder they run in.
  copyFileSync(path.join(projectRoot, '.env.example'), path.join(root, '.env.example'));
  symlinkSync(runDir, path.join(root, '.run'));
  const compose = async (args: string[]) => {
    const out = await $({
      cwd: root,
      nothrow: true,
      quiet: true,
    })`docker compose --project-directory ${root} --env-file ${stack.envFile} -p ${stack.project} -f ${path.join(root, 'docker-compose.yml')} ${args}`.timeout(
      '300s',
    );
    if (out.exitCode !== 0) throw new Error(`compose ${args.slice(0, 4).join(' ')} failed: ${out.stderr.trim().slice(-500)}`);
    return out.stdout;
  };
  return { env: { GALAXY_ROOT: root }, compose };
}
