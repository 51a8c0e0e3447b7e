// The real command: `scripts/discover.ts [--json] [--probe] [--out DIR] PATH`, exit codes and output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MESSY_SYSTEM, makeRepo } from '../harness/discovery-fixtures.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');
const entry = path.join(projectRoot, 'scripts', 'discover.ts');
const cleanup: string[] = [];
after(() => cleanup.forEach((d) => rmSync(d, { recursive: true, force: true })));

function discover(...args: string[]) {
  const r = spawnSync(tsx, [entry, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.end());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('discovery: the command', () => {
  it('--json prints the inventory and writes the report files atomically', () => {
    const src = makeRepo(MESSY_SYSTEM);
    const out = makeRepo({}, 'discover-out-');
    cleanup.push(src, out);
    const r = discover('--json', '--out', out, src);
    assert.equal(r.code, 0, r.stderr);
    const inv = JSON.parse(r.stdout);
    assert.deepEqual(
      inv.services.map((s: { name: string }) => s.name),
      ['api', 'admin', 'experience', 'memory', 'start-all.sh', 'legacy'],
    );
    assert.equal(inv.probed, false);
    assert.deepEqual(readdirSync(out).sort(), ['01_SERVICE_DISCOVERY_ANALYSIS.json', '01_SERVICE_DISCOVERY_ANALYSIS.md']);
    assert.deepEqual(JSON.parse(readFileSync(path.join(out, '01_SERVICE_DISCOVERY_ANALYSIS.json'), 'utf8')), inv);
    const md = readFileSync(path.join(out, '01_SERVICE_DISCOVERY_ANALYSIS.md'), 'utf8');
    for (const heading of [
      '# 01 — Service discovery analysis',
      '## 2. Services',
      '## 3. Internal dependencies',
      '## 5. External dependencies',
      '## 6. Dependency graph',
      '```mermaid',
      '## 7. Problems',
      '## 8. Recommendations',
    ]) {
      assert.ok(md.includes(heading), `report lacks ${heading}`);
    }
    assert.ok(md.includes('- api → memory (37778) — `http://127.0.0.1:37778` via env MEMORY_URL, api/server.js:6'));
    assert.ok(md.includes('not probed (run with --probe'));
    assert.ok(!md.includes('hunter2') && !md.includes('s3cr3t-value-123'), 'a secret value is in the report');
  });

  it('bad usage exits 2 with one line on stderr', () => {
    for (const [args, message] of [
      [['--bogus', '.'], 'error: unknown option --bogus: usage: discover.sh [PATH] [--json] [--probe] [--out DIR]'],
      [[], 'error: missing PATH: usage: discover.sh [PATH] [--json] [--probe] [--out DIR]'],
      [['a', 'b'], 'error: one PATH at a time: usage: discover.sh [PATH] [--json] [--probe] [--out DIR]'],
      [['--out'], 'error: --out needs a value: usage: discover.sh [PATH] [--json] [--probe] [--out DIR]'],
      [['/nonexistent/discover-src'], 'error: path does not exist: /nonexistent/discover-src'],
    ] as const) {
      const r = discover(...args);
      assert.deepEqual({ code: r.code, stderr: r.stderr, stdout: r.stdout }, { code: 2, stderr: `${message}\n`, stdout: '' });
    }
  });

  it('--probe measures which ports answer on 127.0.0.1 now', async () => {
    const up = await listen();
    const gone = await listen();
    const upPort = (up.address() as { port: number }).port;
    const downPort = (gone.address() as { port: number }).port;
    await new Promise((r) => gone.close(r));
    const src = makeRepo({
      'up/app.js': `require('http').createServer(() => {}).listen(${upPort});\n`,
      'down/app.js': `require('http').createServer(() => {}).listen(${downPort});\n`,
      'idle/worker.py': 'if __name__ == "__main__":\n    print("hi")\n',
    });
    const out = makeRepo({}, 'discover-out-');
    cleanup.push(src, out);
    try {
      const r = discover('--json', '--probe', `--out=${out}`, src);
      assert.equal(r.code, 0, r.stderr);
      const inv = JSON.parse(r.stdout);
      assert.equal(inv.probed, true);
      assert.deepEqual(
        inv.services.map((s: { name: string; status: string }) => [s.name, s.status]),
        [
          ['down', 'not listening'],
          ['up', 'listening'],
          ['worker', 'no port'],
        ],
      );
    } finally {
      up.close();
    }
  });

  it('--help prints the usage and examples on stdout and exits 0', () => {
    const r = discover('--help');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^usage: discover\.sh \[PATH\] \[--json\] \[--probe\] \[--out DIR\]\n/);
    assert.match(r.stdout, /\nexamples:\n {2}make discover SRC=/);
  });

  it('--out on a kernel filesystem (/proc) fails at once with one line (exit 1)', () => {
    const src = makeRepo({ 'a.js': '' });
    cleanup.push(src);
    const r = discover('--out', '/proc/discover-out', src);
    assert.deepEqual(
      { code: r.code, stderr: r.stderr },
      { code: 1, stderr: "error: cannot write the report to /proc/discover-out: it is on the kernel's proc filesystem, not storage: choose a normal folder\n" },
    );
  });

  it('a file whose name is not UTF-8 is read through its bytes and shown escaped', () => {
    const src = makeRepo({});
    cleanup.push(src);
    const dir = Buffer.concat([Buffer.from(`${src}/caf`), Buffer.from([0xe9])]);
    mkdirSync(dir);
    writeFileSync(Buffer.concat([dir, Buffer.from('/server.js')]), "require('http').createServer().listen(4321);\n");
    const r = discover('--json', '--out', path.join(src, 'out'), src);
    assert.equal(r.code, 0, r.stderr);
    const inv = JSON.parse(r.stdout);
    assert.deepEqual(
      inv.services.map((s: { name: string; entry: string; ports: Array<{ port: number }> }) => [s.name, s.entry, s.ports[0]?.port]),
      [['caf\\xe9', 'caf\\xe9/server.js', 4321]],
    );
    assert.deepEqual(inv.stats.skipped, []);
  });

  it('an unwritable output folder is an operation failure (exit 1), not a stack trace', () => {
    const src = makeRepo({ 'a.js': '' });
    cleanup.push(src);
    const r = discover('--out', path.join(src, 'a.js', 'sub'), src);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: cannot write the report to .*a\.js\/sub: (ENOTDIR|EEXIST)\n$/);
    assert.ok(!existsSync(path.join(src, 'a.js', 'sub')));
  });
});
