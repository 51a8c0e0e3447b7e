// Containers, compose, static sites, TypeScript sources behind dist/, servers started through shared
// helper functions, copies, secrets in code, and the skip rules, asserted exactly.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ScanInputError, scan } from '../../scripts/lib/discovery/inventory.ts';
import { CONTAINER_SYSTEM, makeRepo } from '../harness/discovery-fixtures.ts';

const roots: string[] = [];
const repo = (files: Record<string, string>) => {
  const root = makeRepo(files);
  roots.push(root);
  return root;
};
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('discovery: containers, compose and shared helpers', () => {
  const inv = scan(repo(CONTAINER_SYSTEM), { label: 'containers' });

  it('lists every service once, by kind, with the port each one really uses', () => {
    assert.deepEqual(
      inv.services.map((s) => [
        s.kind,
        s.name,
        s.entry,
        s.ports.map(
          (p) =>
            `${p.port}/${p.source}${p.env ? `:${p.env}` : ''}@${p.file}:${p.line}${p.published ? ` published ${p.published.address}:${p.published.port}` : ''}`,
        ),
      ]),
      [
        // The code, the Dockerfile and the compose service of api are one row (one project root).
        ['server', 'api', 'api/src/main.ts', ['3000/env:PORT@api/src/config.ts:3 published 127.0.0.1:3000']],
        ['server', 'fast', 'fast/main.py', ['8008/literal@run-fast.sh:4']],
        ['server', 'patterns-a', 'patterns-a/server.py', ['7001/env:A_PORT@patterns-a/server.py:24']],
        ['server', 'patterns-b', 'patterns-b/server.py', ['7002/env:B_PORT@patterns-b/server.py:24']],
        ['script', 'run-fast.sh', 'run-fast.sh', []],
        ['script', 'start-a.sh', 'start-a.sh', []],
        ['script', 'start-b.sh', 'start-b.sh', []],
        ['script', 'stop-all.sh', 'stop-all.sh', []],
        ['static', 'web', 'web/public/index.html', ['8080/config@web/nginx.conf:2 published 0.0.0.0:3000']],
        ['compose', 'db', 'docker-compose.yml', ['5432/framework-default@docker-compose.yml:12']],
      ],
    );
  });

  it('follows a TypeScript config loader across files and maps dist/ back to src/', () => {
    const api = inv.services[0];
    assert.deepEqual(
      { bind: api.bind, framework: api.framework, start: api.start, health: api.health, declared: api.dependencies.declared, files: api.files },
      {
        bind: { address: '0.0.0.0', source: 'env', env: 'HOST', file: 'api/src/config.ts', line: 4 },
        framework: 'fastify',
        start: 'npm start (node dist/main.js)',
        health: '/health',
        declared: ['fastify', 'pg'],
        files: ['api/Dockerfile', 'api/src/config.ts', 'api/src/main.ts'],
      },
    );
    assert.deepEqual(
      api.sources?.map((x) => `${x.kind} ${x.file}:${x.line}`),
      ['server api/src/main.ts:6', 'compose docker-compose.yml:2', 'container api/Dockerfile:1'],
    );
  });

  it('resolves a server started through a helper in another folder at each call site', () => {
    const a = inv.services.find((s) => s.name === 'patterns-a');
    assert.deepEqual(a?.bind, { address: '0.0.0.0', source: 'env', env: 'HOST', file: 'patterns-a/server.py', line: 24 });
    assert.equal(
      inv.services.some((s) => s.entry.startsWith('shared/')),
      false,
      'the helper module is not a service',
    );
  });

  it('never reads node_modules, build output or virtual environments', () => {
    const ports = inv.services.flatMap((s) => s.ports.map((p) => p.port));
    for (const p of [1, 1111, 2222]) assert.ok(!ports.includes(p), `port ${p} from a skipped folder`);
  });

  it('resolves nginx proxy_pass and compose URLs to services and data stores', () => {
    assert.deepEqual(
      inv.dependencies.map((d) => `${d.from} -> ${d.resolved ?? d.name} [${d.kind}] ${d.target}${d.env ? ` via ${d.env}` : ''}`),
      [
        'api -> PostgreSQL [datastore] postgres://app@localhost:5432/app via DATABASE_URL',
        'web -> api [internal] http://api:3000',
        'api -> db [datastore] postgres://app@db:5432/app via DATABASE_URL',
        'api -> db [datastore] db',
      ],
    );
    assert.deepEqual(
      inv.datastores.map((d) => [d.type, d.users]),
      [['PostgreSQL', ['api']]],
    );
  });

  it('reports secrets by name only, copies, machine paths, loopback binds and published-port conflicts', () => {
    assert.deepEqual(
      inv.problems.map((p) => [p.severity, p.rule, p.line ? `${p.file}:${p.line}` : p.file]),
      [
        ['high', 'credential-in-code', 'patterns-a/settings.py:1'],
        ['high', 'credential-in-code', 'patterns-a/settings.py:2'],
        ['high', 'port-conflict', 'docker-compose.yml:2'],
        ['medium', 'duplicate-service', 'patterns-b/server.py'],
        ['medium', 'hardcoded-path', 'patterns-b/settings.py:1'],
        ['medium', 'loopback-bind', 'run-fast.sh:4'],
      ],
    );
    assert.ok(!JSON.stringify(inv).includes('abcd1234efgh5678'), 'a secret value leaked');
    assert.ok(!JSON.stringify(inv).includes('B'.repeat(35)), 'a key leaked');
  });
});

describe('discovery: entry points and bad input', () => {
  it('flags many start scripts without a single entry point', () => {
    const inv = scan(
      repo({
        'a/app.js': "require('http').createServer((q, s) => s.end(q.url === '/health' ? 'ok' : '')).listen(5001);\n",
        'start-a.sh': '#!/usr/bin/env bash\nnode a/app.js &\n',
        'start-a-debug.sh': '#!/usr/bin/env bash\nnodemon a/app.js\n',
        'stop.sh': '#!/usr/bin/env bash\npkill -f a/app.js\n',
      }),
    );
    assert.deepEqual(
      inv.problems.map((p) => [p.rule, p.message]),
      [
        [
          'no-single-entry-point',
          '3 start/stop scripts (start-a-debug.sh, start-a.sh, stop.sh) and no single entry point (Makefile, compose file or Procfile at the root)',
        ],
        ['debug-mode', 'development auto-reload in a start command: nodemon a/app.js'],
      ],
    );
  });

  it('a path that does not exist or is a file is a clear input error', () => {
    assert.throws(() => scan('/nonexistent/discover-here'), new ScanInputError('path does not exist: /nonexistent/discover-here'));
    const root = repo({ 'x.js': '' });
    assert.throws(
      () => scan(`${root}/x.js`),
      (err: Error) => err instanceof ScanInputError && /^not a directory: /.test(err.message),
    );
  });

  it('an empty folder is an empty inventory', () => {
    const inv = scan(repo({}));
    assert.deepEqual([inv.services, inv.dependencies, inv.problems, inv.stats.files], [[], [], [], 0]);
  });
});

describe('discovery: unreadable input', () => {
  // root reads any file whatever its mode, so this can only be checked as another user.
  it(
    'an unreadable file is skipped with its reason, not a crash',
    { skip: process.getuid?.() === 0 ? 'running as root: file modes do not stop reads' : false },
    async () => {
      const { chmodSync } = await import('node:fs');
      const root = repo({ 'a/app.js': "require('http').createServer().listen(5005);\n", 'b/secret.js': 'x' });
      chmodSync(`${root}/b/secret.js`, 0o000);
      const inv = scan(root);
      assert.deepEqual(inv.stats.skipped, [{ path: 'b/secret.js', reason: 'unreadable (EACCES)' }]);
      assert.deepEqual(
        inv.services.map((s) => s.name),
        ['a'],
      );
    },
  );
});

describe('discovery: host names used as env defaults', () => {
  it('resolves DB_HOST/ORDERS_HOST defaults (with their *_PORT) to data stores and services', () => {
    const inv = scan(
      repo({
        'users/index.js':
          "const express = require('express');\nconst dbHost = process.env.DB_HOST || 'db';\nconst dbPort = process.env.DB_PORT || 5432;\nconst ORDERS_HOST = process.env.ORDERS_HOST || 'orders';\nconst ORDERS_PORT = process.env.ORDERS_PORT || 7100;\nexpress().get('/health', () => {}).listen(7000);\n",
        'orders/app.py':
          'import os\nfrom flask import Flask\napp = Flask(__name__)\nREDIS_HOST = os.getenv("REDIS_HOST", "cache")\n@app.route("/health")\ndef h():\n    return "ok"\napp.run(host="0.0.0.0", port=7100)\n',
      }),
    );
    assert.deepEqual(
      inv.dependencies.map((d) => [d.from, d.resolved ?? d.name, d.kind, d.target, d.env, `${d.file}:${d.line}`]),
      [
        ['orders', 'Redis', 'datastore', 'cache', 'REDIS_HOST', 'orders/app.py:4'],
        ['users', 'PostgreSQL', 'datastore', 'db:5432', 'DB_HOST', 'users/index.js:2'],
        ['users', 'orders', 'internal', 'orders:7100', 'ORDERS_HOST', 'users/index.js:4'],
      ],
    );
  });
});

describe('discovery: JavaScript servers started through helpers', () => {
  it('a listen() on a parameter is resolved at each call site, across imports and helper chains', () => {
    const inv = scan(
      repo({
        'gw/lib/server.ts':
          "import express from 'express';\nexport function startServer(port: number, host = '0.0.0.0') {\n  const app = express();\n  app.get('/healthz', (_q, r) => r.send('ok'));\n  return app.listen(port, host);\n}\nexport const boot = ({ port }: { port: number }) => startServer(port);\n",
        'gw/main.ts': "import { startServer } from './lib/server.js';\nstartServer(Number(process.env.GW_PORT) || 8200, process.env.GW_HOST ?? '127.0.0.1');\n",
        'gw2/main.js': "const { boot } = require('../gw/lib/server.js');\nboot({ port: 8300 });\n",
        'tools/free.js':
          "const net = require('net');\nmodule.exports = (port) => new Promise((ok) => { const s = net.createServer(); s.listen(port, () => s.close(() => ok(true))); });\n",
        // A probe called with ports known only at run time is not a service.
        'tools/check.js':
          "const net = require('net');\nfunction isFree(port) {\n  const s = net.createServer();\n  s.listen(port, () => s.close());\n}\nfor (const p of JSON.parse(process.argv[2])) isFree(p.port);\n",
      }),
    );
    assert.deepEqual(
      inv.services.map((s) => [s.name, s.entry, s.ports.map((p) => `${p.port}/${p.source}/${p.env ?? ''}@${p.file}:${p.line}`), s.bind?.address, s.health]),
      [
        ['gw', 'gw/main.ts', ['8200/env/GW_PORT@gw/main.ts:2'], '127.0.0.1', '/healthz'],
        ['gw2', 'gw2/main.js', ['8300/literal/@gw2/main.js:2'], '0.0.0.0', '/healthz'],
      ],
    );
  });
});
