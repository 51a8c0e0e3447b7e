// The adopt plan (pure): decisions from a discovery inventory and a few files, no disk, no Docker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dependency } from '../../scripts/lib/discovery/types.ts';
import { envDefault, isDataFolderName, sqlitePathVariable } from '../../scripts/lib/adopt/code-facts.ts';
import { renderComposeFile } from '../../scripts/lib/adopt/compose-file.ts';
import { planFront, renderFrontConf } from '../../scripts/lib/adopt/front.ts';
import { composeName, planAdoption } from '../../scripts/lib/adopt/plan.ts';
import { mapToDebian, parsePyproject, parseRequirements } from '../../scripts/lib/adopt/python-deps.ts';
import { renderDockerfile, renderDockerignore } from '../../scripts/lib/adopt/render.ts';
import { writeDecision } from '../../scripts/lib/adopt/write.ts';
import { NO_BASE, inventory, opts, port, pyRow, row, tree } from '../helpers/inventory.ts';

test('image kind and package manager come from the language and the lock file; anything else is one line', () => {
  const inv = inventory([
    row({ name: 'a', dir: 'a', entry: 'a/server.js', files: ['a/server.js'], ports: [port(3000)] }),
    row({ name: 'b', dir: 'b', entry: 'b/server.js', files: ['b/server.js'], ports: [port(3001)] }),
    row({ name: 'c', dir: 'c', language: 'go', entry: 'c/main.go', files: ['c/main.go'], ports: [port(3002)] }),
    row({ name: 'd', dir: 'd', language: 'go', entry: 'd/main.go', files: ['d/main.go'], ports: [port(3003)] }),
  ]);
  const plan = planAdoption(inv, tree({ 'a/yarn.lock': '', 'b/pnpm-lock.yaml': '', 'd/Dockerfile': 'FROM scratch' }), opts);
  assert.deepEqual(
    plan.services.map((s) => [s.name, s.image, s.install.manager]),
    [
      ['a', 'node', 'yarn'],
      ['b', 'node', 'pnpm'],
      ['d', 'dockerfile', 'none'],
    ],
  );
  assert.deepEqual(plan.skipped, ['not adopted: c (go): write services/c/Dockerfile']);
});

test('Python requirements map to Debian packages offline; the unmapped ones are named with what to do', () => {
  assert.deepEqual(parseRequirements('Flask>=2.2\n# comment\n-r other.txt\nrequests[socks]==2.0 ; python_version>"3"\nmy_private.lib\n'), [
    'flask',
    'requests',
    'my-private-lib',
  ]);
  assert.deepEqual(parsePyproject('[project]\ndependencies = [\n  "flask>=3",\n  "redis",\n]\n'), ['flask', 'redis']);
  assert.deepEqual(mapToDebian(['flask', 'requests', 'my-private-lib']), { packages: ['python3-flask', 'python3-requests'], unmapped: ['my-private-lib'] });
  const inv = inventory([row({ name: 'py', dir: 'py', language: 'python', entry: 'py/app.py', files: ['py/app.py'], ports: [port(5000)] })]);
  const plan = planAdoption(inv, tree({ 'py/requirements.txt': 'flask\nweird-thing\n' }), opts);
  assert.deepEqual(plan.services[0].install.packages, ['python3-flask']);
  assert.match(plan.services[0].notes.join('\n'), /no Debian package known for weird-thing/);
  assert.equal(
    planAdoption(inv, tree({ 'py/requirements.txt': 'flask\n' }), { ...opts, imageMode: 'registry' }).services[0].install.manager,
    'pip (requirements.txt)',
  );
});

test('host ports: kept from .env, else the container port moved past the kit and earlier services, saying which', () => {
  const inv = inventory([
    row({ name: 'one', dir: 'one', ports: [port(8080)] }),
    row({ name: 'two', dir: 'two', ports: [port(8080)] }),
    row({ name: 'three', dir: 'three', ports: [port(9000)] }),
  ]);
  const plan = planAdoption(inv, tree({}), { ...opts, existing: { THREE_PORT: '19000' }, taken: new Map([[8080, 'FRONTEND_PORT']]) });
  assert.deepEqual(
    plan.services.map((s) => [s.port?.hostVar, s.port?.host, s.port?.container]),
    [
      ['ONE_PORT', 8081, 8080],
      ['TWO_PORT', 8082, 8080],
      ['THREE_PORT', 19000, 9000],
    ],
  );
  assert.equal(plan.services[0].port?.moved, "host port 8080 is FRONTEND_PORT's: ONE_PORT=8081");
  assert.equal(plan.services[1].port?.moved, "host port 8080 is FRONTEND_PORT's: TWO_PORT=8082");
});

test('links: depends_on healthy, a localhost URL rewritten through the variable the code reads, else a code change named', () => {
  const dep = (from: string, file: string, target: string, env?: string): Dependency => ({
    from,
    file,
    line: 7,
    target,
    scheme: 'http',
    host: 'localhost',
    port: 5100,
    kind: 'internal',
    resolved: 'notes',
    name: 'notes',
    env,
  });
  const inv = inventory(
    [
      row({ name: 'api', dir: 'api', entry: 'api/s.js', files: ['api/s.js'], ports: [port(4100)], env: ['NOTES_URL'], health: '/health' }),
      row({ name: 'notes', dir: 'notes', language: 'python', entry: 'notes/app.py', files: ['notes/app.py'], ports: [port(5100)] }),
      row({ name: 'other', dir: 'other', entry: 'other/s.js', files: ['other/s.js'], ports: [port(4200)] }),
    ],
    { dependencies: [dep('api', 'api/s.js', 'http://localhost:5100', 'NOTES_URL'), dep('other/s.js', 'other/s.js', 'http://localhost:5100/items')] },
  );
  const plan = planAdoption(inv, tree({ 'api/s.js': "const u = process.env.NOTES_URL || 'http://localhost:5100';" }), opts);
  const [api, notes, other] = plan.services;
  assert.deepEqual(api.dependsOn, ['notes']);
  assert.equal(api.environment.NOTES_URL, 'http://notes:5100');
  assert.deepEqual(api.envExample, [], 'a rewritten URL is no longer a setting');
  assert.equal(notes.health.kind, 'tcp', 'no HTTP route found: TCP');
  assert.deepEqual(other.dependsOn, ['notes']);
  assert.deepEqual(plan.problems, [
    "needs a code change: other/s.js:7: http://localhost:5100/items is this machine only; read it from an env variable (NOTES_URL) and add NOTES_URL: http://notes:5100/items to other's environment",
  ]);
  const compose = renderComposeFile(plan.services, { projectRoot: '/p', src: '/p/src', probe: '/kit/services/probe', base: NO_BASE });
  assert.match(compose, /^# generated by make adopt; you may edit/);
  assert.match(compose, /depends_on:\n\s+notes:\n\s+condition: service_healthy/);
  assert.match(compose, /127\.0\.0\.1:\$\{API_PORT:\?set API_PORT in \.env\}:4100/);
});

test('the front holds the host port of each stateless HTTP service; stateful, TCP-only and portless ones publish their own or none', () => {
  const app = 'import os\nDB = os.environ.get("DB", "x.db")\nsqlite3.connect(DB)\n';
  const inv = inventory(
    [
      row({ name: 'api', dir: 'api', ports: [port(4100)], health: '/health' }),
      row({ name: 'web', dir: 'web', ports: [port(80)], health: '/' }),
      row({ name: 'admin', dir: 'admin', ports: [port(4100)], health: '/ping' }),
      { ...pyRow('db', 5100, ['DB']), health: '/health' },
      row({ name: 'tcp', dir: 'tcp', ports: [port(6000)] }),
      row({ name: 'job', dir: 'job' }),
    ],
    { datastores: [{ type: 'SQLite', evidence: 'sqlite3.connect(DB)', file: 'db/app.py', line: 3, users: ['db'] }] },
  );
  const plan = planAdoption(inv, tree({ 'db/app.py': app }), opts);
  const routes = planFront(plan.services);
  // Listen ports: the service's own, above 1024 for a user without capabilities, never twice.
  assert.deepEqual(
    routes.map((r) => [r.service, r.listen, r.upstream]),
    [
      ['api', 4100, 4100],
      ['web', 8080, 80],
      ['admin', 4101, 4100],
    ],
  );
  const conf = renderFrontConf(routes);
  assert.match(conf, /^worker_processes 1;$/m);
  assert.match(conf, /listen 4101;[\s\S]*?set \$upstream http:\/\/admin:4100;/);
  const compose = renderComposeFile(plan.services, { projectRoot: '/p', src: '/p/src', probe: '/kit/services/probe', base: NO_BASE });
  const frontBlock = compose.slice(compose.indexOf('  adopted-front:'));
  assert.match(frontBlock, /galaxy\.proxy\.upstreams: api, web, admin/);
  assert.match(frontBlock, /- 127\.0\.0\.1:\$\{WEB_PORT:\?set WEB_PORT in \.env\}:8080/);
  assert.match(frontBlock, /- \.\/services\/adopted-front\/nginx\.conf:\/etc\/nginx\/nginx\.conf:ro/);
  const apiBlock = compose.slice(compose.indexOf('  api:'), compose.indexOf('  web:'));
  assert.match(apiBlock, /expose:\n\s+- "4100"/);
  assert.doesNotMatch(apiBlock, /ports:/);
  for (const own of ['DB_PORT', 'TCP_PORT']) assert.match(compose, new RegExp(`127\\.0\\.0\\.1:\\$\\{${own}:`), own);
});

test('loopback bind: a forwarder when literal, the variable set to 0.0.0.0 when the code reads one', () => {
  const bind = (source: 'literal' | 'env', env?: string) => ({ address: '127.0.0.1', source, env, file: 'a/s.js', line: 9 });
  const inv = inventory([
    row({ name: 'a', dir: 'a', ports: [port(4000)], bind: bind('literal') }),
    row({ name: 'b', dir: 'b', ports: [port(4001)], bind: bind('env', 'HOST') }),
  ]);
  const [a, b] = planAdoption(inv, tree({}), opts).services;
  assert.equal(a.forward, 4000);
  assert.match(renderDockerfile(a), /socat/);
  assert.match(renderDockerfile(a), /ENTRYPOINT \["\/usr\/local\/bin\/adopt-entrypoint"\]/);
  assert.equal(b.forward, null);
  assert.equal(b.environment.HOST, '0.0.0.0');
});

test('SQLite through the variable the code reads: named volume, seeded from the committed file, recreate, backup label; secrets generated', () => {
  const app = 'import os\nDB_PATH = os.environ.get("NOTES_DB", "notes.db")\nKEY = os.environ.get("SECRET_KEY", "dev")\nconn = sqlite3.connect(DB_PATH)\n';
  assert.equal(sqlitePathVariable(app, 4), 'NOTES_DB');
  assert.equal(envDefault([app], 'SECRET_KEY'), 'dev');
  const inv = inventory([pyRow('notes', 5100, ['NOTES_DB', 'SECRET_KEY', 'LOG_LEVEL'])], {
    datastores: [{ type: 'SQLite', evidence: 'sqlite3.connect(DB_PATH)', file: 'notes/app.py', line: 4, users: ['notes'] }],
  });
  const [notes] = planAdoption(inv, tree({ 'notes/app.py': app, 'notes/notes.db': '' }), opts).services;
  assert.deepEqual(notes.volumes, [{ name: 'notes-data', target: '/data' }]);
  assert.deepEqual(notes.seed, [{ file: 'notes.db', target: '/data/notes.db' }]);
  assert.equal(notes.environment.NOTES_DB, '/data/notes.db');
  assert.equal(notes.labels['galaxy.backup'], 'sqlite:/data/notes.db');
  assert.equal(notes.labels['galaxy.deploy'], 'recreate');
  const secret = notes.envExample.find((e) => e.variable === 'SECRET_KEY');
  assert.deepEqual([secret?.name, secret?.value, secret?.secret], ['NOTES_SECRET_KEY', '', true], 'a secret never gets the default it has in code');
  assert.equal(notes.environment.SECRET_KEY, '${NOTES_SECRET_KEY:?set NOTES_SECRET_KEY in .env (make start generates it)}');
});

test('data and upload folders read from a variable: on the named volume, created in the image; with them the backup is the volume', () => {
  for (const name of ['UPLOAD_DIR', 'UPLOADS_FOLDER', 'DATA_PATH', 'MEDIA_ROOT', 'APP_DATA_DIR', 'STORAGE_FILES_DIR']) assert.ok(isDataFolderName(name), name);
  for (const name of ['NOTES_DB', 'PATH', 'DATABASE_URL', 'LOG_DIR', 'DATASET', 'UPLOAD_LIMIT']) assert.ok(!isDataFolderName(name), name);
  const app = 'import os\nUPLOADS = os.environ.get("UPLOAD_DIR", "./uploads")\nCACHE = os.environ.get("MEDIA_ROOT")\n';
  const files = { 'files/app.py': app };
  const inv = inventory([pyRow('files', 5200, ['UPLOAD_DIR', 'MEDIA_ROOT', 'LOG_LEVEL'])]);
  const [svc] = planAdoption(inv, tree(files), opts).services;
  assert.deepEqual(svc.volumes, [{ name: 'files-data', target: '/data' }]);
  assert.deepEqual(svc.folders, ['/data/uploads', '/data/media_root']);
  assert.equal(svc.environment.UPLOAD_DIR, '/data/uploads');
  assert.deepEqual(
    svc.envExample.map((e) => e.variable),
    ['LOG_LEVEL'],
    'the folders are set by compose, not by .env',
  );
  assert.equal(svc.labels['galaxy.backup'], 'volume');
  assert.equal(svc.labels['galaxy.deploy'], 'recreate');
  assert.match(renderDockerfile(svc), /^RUN mkdir -p \/data \/data\/uploads \/data\/media_root; chown -R 10001:10001 \/data$/m);
});

test('a start script: named after it, interpreter path replaced in the image, root context; only= chooses', () => {
  const script = row({
    name: 'bin/start-worker.sh',
    kind: 'script',
    language: 'shell',
    dir: 'bin',
    entry: 'bin/start-worker.sh',
    files: ['bin/start-worker.sh'],
    launches: [{ command: 'exec /opt/homebrew/bin/python3 worker/w.py', line: 3, target: 'worker/w.py' }],
  });
  assert.equal(composeName(script), 'worker');
  const inv = inventory([script, row({ name: 'api', dir: 'api', ports: [port(1)] })], {
    problems: [
      {
        rule: 'hardcoded-interpreter',
        severity: 'medium',
        file: 'bin/start-worker.sh',
        line: 3,
        service: null,
        message: 'hard-coded interpreter /opt/homebrew/bin/python3: works only where that path exists',
        fix: '',
      },
    ],
  });
  const plan = planAdoption(inv, tree({}), { ...opts, only: ['worker', 'nope'] });
  assert.deepEqual(
    plan.services.map((s) => s.name),
    ['worker'],
  );
  assert.match(plan.skipped.join('\n'), /not found: nope:/);
  const [worker] = plan.services;
  assert.equal(worker.context, '.');
  assert.deepEqual(worker.copy, ['bin/start-worker.sh', 'worker']);
  assert.match(renderDockerfile(worker), /sed -i 's#\/opt\/homebrew\/bin\/python3#python3#g' \/app\/bin\/start-worker\.sh/);
  assert.match(renderDockerignore(worker), /^\*\n!bin\/start-worker\.sh\n!worker\n\*\*\/\.env$/m);
});

test('a file is rewritten only when absent or still exactly what adopt wrote', () => {
  const sha = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'; // sha256('hello')
  assert.equal(writeDecision(undefined, undefined, 'new'), 'written');
  assert.equal(writeDecision('new', sha, 'new'), 'unchanged');
  assert.equal(writeDecision('hello', sha, 'new'), 'written');
  assert.equal(writeDecision('hello edited', sha, 'new'), 'kept');
  assert.equal(writeDecision('their own file', undefined, 'new'), 'kept');
});
