// Smoke test of every offline stand-in against the real engine: each one does the job compose
// relies on. Everything it creates carries one run label and is removed in `after`, even on failure.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { $, sleep } from 'zx';
import { extraCertificates } from '../../scripts/lib/images/base.ts';
import { buildOfflineImages } from '../../scripts/lib/images/build.ts';
import { loadManifest } from '../../scripts/lib/images/manifest.ts';

const run = `gx-offimg-${randomBytes(4).toString('hex')}`;
const label = `galaxy.test.run=${run}`;
const network = `galaxy-test-${run}`;
const images = Object.fromEntries(Object.entries(loadManifest().images).map(([name, i]) => [name, i.offline]));
const tmp = mkdtempSync(path.join(os.tmpdir(), `${run}-`));

async function docker(args: string[], timeout: `${number}s` = '60s'): Promise<string> {
  const out = await $`docker ${args}`.quiet().nothrow().timeout(timeout);
  if (out.exitCode !== 0) throw new Error(`docker ${args.join(' ')} failed (exit ${out.exitCode}): ${out.stderr.trim()}`);
  return out.stdout.trim();
}

/** Starts a labelled container on the test network; `publish` container ports on 127.0.0.1, free host ports. */
async function start(
  name: string,
  image: string,
  opts: { env?: Record<string, string>; publish?: number[]; volumes?: string[]; cmd?: string[] } = {},
): Promise<string> {
  const container = `${run}-${name}`;
  const args = ['run', '-d', '--name', container, '--label', label, '--network', network, '--network-alias', name];
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('-e', `${k}=${v}`);
  for (const port of opts.publish ?? []) args.push('-p', `127.0.0.1::${port}`);
  for (const v of opts.volumes ?? []) args.push('-v', v);
  await docker([...args, image, ...(opts.cmd ?? [])]);
  return container;
}

async function hostPort(container: string, port: number): Promise<number> {
  const mapping = await docker(['port', container, `${port}/tcp`]);
  return Number(/127\.0\.0\.1:(\d+)/.exec(mapping)?.[1]);
}

/** Bounded wait: at most `tries` attempts, 250 ms apart. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, tries = 120): Promise<T> {
  let last = '';
  for (let i = 0; i < tries; i++) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`${what}: not ready after ${tries} tries ${last}`);
}

/** GET on 127.0.0.1 only; resolves with the body once the status is 200. */
async function get(port: number, urlPath: string, tries = 120): Promise<string> {
  return until(
    `GET 127.0.0.1:${port}${urlPath}`,
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      return res.status === 200 ? body : undefined;
    },
    tries,
  );
}

async function exec(container: string, cmd: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const out = await $`docker exec ${envArgs} ${container} ${cmd}`.quiet().nothrow().timeout('30s');
  return { code: out.exitCode ?? -1, out: out.stdout.trim(), err: out.stderr.trim() };
}

async function uidOfPid1(container: string): Promise<string> {
  const status = (await exec(container, ['cat', '/proc/1/status'])).out;
  return /^Uid:\s+(\d+)/m.exec(status)?.[1] ?? '';
}

async function cleanup(): Promise<void> {
  const containers = (await $`docker ps -aq --filter ${`label=${label}`}`.quiet().nothrow().timeout('30s')).stdout.split('\n').filter(Boolean);
  if (containers.length) await $`docker rm -f -v ${containers}`.quiet().nothrow().timeout('60s');
  const volumes = (await $`docker volume ls -q --filter ${`label=${label}`}`.quiet().nothrow().timeout('30s')).stdout.split('\n').filter(Boolean);
  if (volumes.length) await $`docker volume rm -f ${volumes}`.quiet().nothrow().timeout('60s');
  await $`docker network rm ${network}`.quiet().nothrow().timeout('30s');
  rmSync(tmp, { recursive: true, force: true });
}

const PG = { POSTGRES_USER: 'galaxy_it', POSTGRES_PASSWORD: 's3cret-it', POSTGRES_DB: 'galaxy_it_db' };

describe('offline stand-in images', { timeout: 30 * 60_000 }, () => {
  before(
    async () => {
      // No-op when the set is current (well under a second); builds what is missing otherwise.
      await buildOfflineImages();
      await docker(['network', 'create', '--label', label, network]);
    },
    { timeout: 25 * 60_000 },
  );
  after(cleanup, { timeout: 120_000 });

  it('node runs a script as user node (1000) with npm on PATH', async () => {
    const out = await docker([
      'run',
      '--rm',
      '--label',
      label,
      '-u',
      'node',
      images.node,
      'node',
      '-e',
      'const os = require("os"); console.log(process.versions.node, os.userInfo().uid, os.homedir())',
    ]);
    assert.match(out, /^20\.\d+\.\d+ 1000 \/home\/node$/);
    assert.match(await docker(['run', '--rm', '--label', label, images.node, 'npm', '--version']), /^\d+\.\d+\.\d+$/);
    // Official behaviour: an option as the command goes to node.
    assert.match(await docker(['run', '--rm', '--label', label, images.node, '--version']), /^v20\./);
  });

  it('the base trusts every certificate of the host bundle (TLS-inspecting proxies)', async (t) => {
    const hostBundle = '/etc/ssl/certs/ca-certificates.crt';
    if (!existsSync(hostBundle)) return t.skip('this host has no CA bundle to carry over');
    const imageBundle = await docker(['run', '--rm', '--label', label, loadManifest().base.tag, 'cat', hostBundle]);
    assert.deepEqual(extraCertificates(readFileSync(hostBundle, 'utf8'), imageBundle), []);
  });

  it('node trusts the system CA store without NODE_EXTRA_CA_CERTS', async () => {
    // A throwaway CA added the way the base adds the host's; client and server on 127.0.0.1 inside.
    const script = [
      'set -e; cd /tmp',
      'openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -subj /CN=gx-it-ca -days 1 2>/dev/null',
      'openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost 2>/dev/null',
      'printf "subjectAltName=DNS:localhost\\n" >ext.cnf',
      'openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 1 -extfile ext.cnf 2>/dev/null',
      'cp ca.crt /usr/local/share/ca-certificates/gx-it.crt && update-ca-certificates >/dev/null 2>&1',
      `node -e 'const https = require("https"), fs = require("fs");
        const s = https.createServer({ key: fs.readFileSync("srv.key"), cert: fs.readFileSync("srv.crt") }, (q, r) => r.end("ok"))
          .listen(8443, "127.0.0.1", () => https.get("https://localhost:8443", { timeout: 3000 }, (r) => { console.log("trusted", r.statusCode); s.close(); })
          .on("error", (e) => { console.log("rejected", e.code); s.close(); }));'`,
    ].join('\n');
    const out = await docker(['run', '--rm', '--label', label, '-e', 'NODE_EXTRA_CA_CERTS=', images.node, 'bash', '-c', script]);
    assert.equal(out, 'trusted 200');
  });

  it('python runs a script with sqlite3, as python and python3, as a non-root user', async () => {
    const script = 'import sqlite3, sys; c = sqlite3.connect(":memory:"); print(sys.version_info[:2], c.execute("select 41+1").fetchone()[0])';
    assert.equal(await docker(['run', '--rm', '--label', label, '-u', '1000:1000', images.python, 'python', '-c', script]), '(3, 13) 42');
    assert.equal(await docker(['run', '--rm', '--label', label, images.python, 'python3', '-c', 'print("ok")']), 'ok');
  });

  it('postgres initialises the configured user and database, runs init scripts, enforces passwords', async () => {
    const initDir = path.join(tmp, 'initdb');
    mkdirSync(initDir);
    writeFileSync(path.join(initDir, '10-schema.sql'), 'CREATE TABLE probe (id int PRIMARY KEY, note text);\n');
    writeFileSync(
      path.join(initDir, '20-seed.sh'),
      '#!/bin/bash\nset -e\npsql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "INSERT INTO probe VALUES (1, \'seeded\')"\n',
    );
    chmodSync(tmp, 0o755);
    chmodSync(initDir, 0o755);
    chmodSync(path.join(initDir, '20-seed.sh'), 0o755);
    const pg = await start('postgres', images.postgres, {
      env: PG,
      volumes: [`${initDir}:/docker-entrypoint-initdb.d:ro`],
      cmd: ['postgres', '-c', 'max_connections=42'],
    });
    // pg_isready on TCP only answers once the final server (not the init one) listens on the network.
    await until(
      'pg_isready',
      async () => ((await exec(pg, ['pg_isready', '-h', '127.0.0.1', '-U', PG.POSTGRES_USER, '-d', PG.POSTGRES_DB])).code === 0 ? true : undefined),
      240,
    );
    const query = (password: string, sql: string) =>
      exec(pg, ['psql', '-h', '127.0.0.1', '-U', PG.POSTGRES_USER, '-d', PG.POSTGRES_DB, '-tAc', sql], { PGPASSWORD: password });
    const ok = await query(
      PG.POSTGRES_PASSWORD,
      "SELECT current_user || ' ' || current_database() || ' ' || note || ' ' || current_setting('max_connections') FROM probe",
    );
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, `${PG.POSTGRES_USER} ${PG.POSTGRES_DB} seeded 42`);
    const bad = await query('wrong', 'SELECT 1');
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /password authentication failed/);
    assert.equal(await uidOfPid1(pg), '999');
    for (const tool of ['pg_dump', 'pg_restore', 'psql', 'pg_isready']) {
      assert.equal((await exec(pg, [tool, '--version'])).code, 0, `${tool} on PATH`);
    }
  });

  it('postgres-exporter reads DATA_SOURCE_NAME and serves pg_up 1', async () => {
    const exp = await start('postgres-exporter', images['postgres-exporter'], {
      env: { DATA_SOURCE_NAME: `postgresql://${PG.POSTGRES_USER}:${PG.POSTGRES_PASSWORD}@postgres:5432/${PG.POSTGRES_DB}?sslmode=disable` },
      publish: [9187],
    });
    const port = await hostPort(exp, 9187);
    await until('pg_up 1', async () => (/^pg_up 1$/m.test(await get(port, '/metrics', 4)) ? true : undefined), 40);
  });

  it('redis answers PING, runs as redis, keeps data across a restart on its volume', async () => {
    const volume = `${run}-redis-data`;
    await docker(['volume', 'create', '--label', label, volume]);
    const redis = await start('redis', images.redis, {
      volumes: [`${volume}:/data`],
      cmd: ['redis-server', '--requirepass', 'it-pass', '--appendonly', 'yes'],
    });
    const cli = (...args: string[]) => exec(redis, ['redis-cli', '--no-auth-warning', '-a', 'it-pass', ...args]);
    await until('PONG', async () => ((await cli('PING')).out === 'PONG' ? true : undefined));
    assert.equal((await exec(redis, ['redis-cli', 'PING'])).out.includes('NOAUTH'), true, 'the password is required');
    assert.equal((await cli('SET', 'probe', 'kept')).out, 'OK');
    assert.equal(await uidOfPid1(redis), '999');
    await docker(['restart', '-t', '10', redis]);
    await until('PONG after restart', async () => ((await cli('PING')).out === 'PONG' ? true : undefined));
    assert.equal((await cli('GET', 'probe')).out, 'kept');
  });

  it('redis-exporter reads REDIS_ADDR and REDIS_PASSWORD and serves redis_up 1', async () => {
    const exp = await start('redis-exporter', images['redis-exporter'], {
      env: { REDIS_ADDR: 'redis://redis:6379', REDIS_PASSWORD: 'it-pass' },
      publish: [9121],
    });
    const port = await hostPort(exp, 9121);
    await until('redis_up 1', async () => (/^redis_up 1$/m.test(await get(port, '/metrics', 4)) ? true : undefined), 40);
  });

  it('nginx serves files and renders templates with only defined variables', async () => {
    const html = path.join(tmp, 'html');
    const templates = path.join(tmp, 'templates');
    mkdirSync(html);
    mkdirSync(templates);
    writeFileSync(path.join(html, 'probe.txt'), 'offline nginx works\n');
    writeFileSync(
      path.join(templates, 'probe.conf.template'),
      '# kept as written: ${IT_UNDEFINED_VAR}\nserver {\n  listen 8080;\n  location / { add_header X-Host $host; return 200 "${IT_GREETING}\\n"; }\n}\n',
    );
    for (const p of [html, templates]) chmodSync(p, 0o755);
    const nginx = await start('nginx', images.nginx, {
      env: { IT_GREETING: 'hello-from-template' },
      publish: [80, 8080],
      volumes: [`${html}:/usr/share/nginx/html:ro`, `${templates}:/etc/nginx/templates:ro`],
    });
    assert.equal(await get(await hostPort(nginx, 80), '/probe.txt'), 'offline nginx works\n');
    assert.equal(await get(await hostPort(nginx, 8080), '/'), 'hello-from-template\n');
    // Only defined variables are replaced (nginx's own $host and an unset name stay as written).
    const rendered = (await exec(nginx, ['cat', '/etc/nginx/conf.d/probe.conf'])).out;
    assert.match(rendered, /kept as written: \$\{IT_UNDEFINED_VAR\}/);
    assert.match(rendered, /add_header X-Host \$host;/);
    assert.equal((await exec(nginx, ['curl', '-fsS', 'http://127.0.0.1/probe.txt'])).out, 'offline nginx works');
    const logs = await $`docker logs ${nginx}`.quiet().nothrow().timeout('10s');
    assert.match(logs.stdout, /GET \/probe\.txt HTTP/, 'access log on stdout');
  });

  it('prometheus is ready with its default command, as nobody, with promtool', async () => {
    const prom = await start('prometheus', images.prometheus, { publish: [9090] });
    assert.match(await get(await hostPort(prom, 9090), '/-/ready'), /Ready/);
    assert.equal(await uidOfPid1(prom), '65534');
    const check = await exec(prom, ['promtool', 'check', 'config', '/etc/prometheus/prometheus.yml']);
    assert.equal(check.code, 0, check.err);
  });

  it('alertmanager is ready with its default command, with amtool', async () => {
    const am = await start('alertmanager', images.alertmanager, { publish: [9093] });
    assert.match(await get(await hostPort(am, 9093), '/-/ready'), /OK/);
    const check = await exec(am, ['amtool', 'check-config', '/etc/alertmanager/alertmanager.yml']);
    assert.equal(check.code, 0, check.err);
  });

  it('node-exporter serves /metrics', async () => {
    const ne = await start('node-exporter', images['node-exporter'], { publish: [9100] });
    assert.match(await get(await hostPort(ne, 9100), '/metrics'), /^node_exporter_build_info\{/m);
  });
});
