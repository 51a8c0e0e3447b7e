// The inventory of a messy fixture system, asserted exactly: services, ports and where each value
// comes from, dependencies resolved to services, data stores, external APIs and problems.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { scan } from '../../scripts/lib/discovery/inventory.ts';
import type { Inventory } from '../../scripts/lib/discovery/types.ts';
import { MESSY_SYSTEM, makeRepo } from '../harness/discovery-fixtures.ts';

const root = makeRepo(MESSY_SYSTEM);
after(() => rmSync(root, { recursive: true, force: true }));
const inv: Inventory = scan(root, { label: 'messy' });

describe('discovery: services of a messy system', () => {
  it('finds exactly the services, with ports, their origin, bind address, health and start command', () => {
    const view = inv.services.map((s) => ({
      name: s.name,
      kind: s.kind,
      language: s.language,
      framework: s.framework,
      entry: s.entry,
      ports: s.ports.map((p) => ({ port: p.port, source: p.source, env: p.env, at: `${p.file}:${p.line}` })),
      bind: s.bind ? `${s.bind.address} (${s.bind.source})` : null,
      health: s.health,
      start: s.start,
      status: s.status,
    }));
    assert.deepEqual(view, [
      {
        name: 'api',
        kind: 'server',
        language: 'node',
        framework: 'express',
        entry: 'api/server.js',
        ports: [{ port: 3000, source: 'env', env: 'PORT', at: 'api/server.js:5' }],
        bind: '0.0.0.0 (framework-default)',
        health: '/health',
        start: 'npm start (node server.js)',
        status: 'not probed',
      },
      {
        name: 'admin',
        kind: 'server',
        language: 'node',
        framework: 'http',
        entry: 'admin/admin.js',
        ports: [{ port: 3000, source: 'literal', env: undefined, at: 'admin/admin.js:3' }],
        bind: '0.0.0.0 (literal)',
        health: null,
        start: null,
        status: 'not probed',
      },
      {
        name: 'experience',
        kind: 'server',
        language: 'python',
        framework: 'flask',
        entry: 'experience/app.py',
        ports: [{ port: 5556, source: 'env', env: 'PORT', at: 'experience/app.py:14' }],
        bind: '127.0.0.1 (framework-default)',
        health: null,
        start: 'python3 experience/app.py (start-all.sh:6)',
        status: 'not probed',
      },
      {
        name: 'memory',
        kind: 'server',
        language: 'python',
        framework: 'http.server',
        entry: 'memory/memory.py',
        ports: [{ port: 37778, source: 'env', env: 'MEMORY_PORT', at: 'memory/memory.py:5' }],
        bind: '127.0.0.1 (literal)',
        health: '/health',
        start: '/usr/local/bin/python3.11 memory/memory.py (start-all.sh:5)',
        status: 'not probed',
      },
      {
        name: 'start-all.sh',
        kind: 'script',
        language: 'shell',
        framework: null,
        entry: 'start-all.sh',
        ports: [],
        bind: null,
        health: null,
        start: './start-all.sh',
        status: 'no port',
      },
      {
        name: 'legacy',
        kind: 'unsupported',
        language: 'go',
        framework: 'net/http',
        entry: 'legacy/main.go',
        ports: [{ port: 8090, source: 'literal', env: undefined, at: 'legacy/main.go:6' }],
        bind: null,
        health: null,
        start: null,
        status: 'not probed',
      },
    ]);
  });

  it('records declared and imported dependencies and env vars read', () => {
    const api = inv.services.find((s) => s.name === 'api');
    const exp = inv.services.find((s) => s.name === 'experience');
    assert.deepEqual(api?.dependencies, { declared: ['express', 'redis'], imported: ['express', 'redis'] });
    assert.deepEqual(api?.env, ['MEMORY_URL', 'PORT', 'REDIS_URL']);
    assert.deepEqual(exp?.dependencies, { declared: ['flask', 'requests'], imported: ['flask', 'requests'] });
    assert.deepEqual(exp?.env, ['GEMINI_API_KEY', 'MEMORY_API_URL', 'PORT']);
  });

  it('says why an unsupported-language file is a service, and what a start script launches', () => {
    assert.equal(inv.services.find((s) => s.name === 'legacy')?.reason, 'http.ListenAndServe at legacy/main.go:6 (language not analysed: go)');
    assert.deepEqual(inv.services.find((s) => s.kind === 'script')?.launches, [
      { command: 'npm start', line: 4, target: 'api' },
      { command: '/usr/local/bin/python3.11 memory/memory.py', line: 5, target: 'memory' },
      { command: 'python3 experience/app.py', line: 6, target: 'experience' },
    ]);
  });

  it('ignores ports in READMEs and listen() calls in comments', () => {
    const ports = inv.services.flatMap((s) => s.ports.map((p) => p.port));
    assert.ok(!ports.includes(9999) && !ports.includes(4000), `unexpected ports ${ports.join(',')}`);
  });

  it('resolves URLs (also env-var default URLs) to the service listening there', () => {
    assert.deepEqual(
      inv.dependencies.map((d) => ({ from: d.from, to: d.resolved ?? d.name, kind: d.kind, port: d.port, env: d.env, target: d.target })),
      [
        { from: '.env', to: 'PostgreSQL', kind: 'datastore', port: 5432, env: 'DATABASE_URL', target: 'postgres://app:***@db:5432/app' },
        { from: 'api', to: 'memory', kind: 'internal', port: 37778, env: 'MEMORY_URL', target: 'http://127.0.0.1:37778' },
        { from: 'api', to: 'Redis', kind: 'datastore', port: 6379, env: 'REDIS_URL', target: 'redis://redis:6379' },
        { from: 'experience', to: 'memory', kind: 'internal', port: 37778, env: 'MEMORY_API_URL', target: 'http://localhost:37778' },
      ],
    );
  });

  it('lists data stores and external APIs with their users', () => {
    assert.deepEqual(
      inv.datastores.map((d) => [d.type, d.users]),
      [
        ['PostgreSQL', []],
        ['Redis', ['api']],
        ['SQLite', ['memory']],
      ],
    );
    assert.deepEqual(
      inv.externalApis.map((d) => [d.name, d.evidence, d.users]),
      [['Google AI (Gemini)', 'env GEMINI_API_KEY', ['experience']]],
    );
  });

  it('reports exactly the expected problems', () => {
    assert.deepEqual(
      inv.problems.map((p) => [p.severity, p.rule, p.line ? `${p.file}:${p.line}` : p.file, p.service]),
      [
        ['high', 'committed-env', '.env', null],
        ['high', 'port-conflict', 'api/server.js:5', 'api, admin'],
        ['medium', 'debug-mode', '.env:3', null],
        ['medium', 'debug-mode', 'experience/app.py:14', null],
        ['medium', 'hardcoded-interpreter', 'start-all.sh:5', null],
        ['medium', 'loopback-bind', 'experience/app.py:14', 'experience'],
        ['medium', 'loopback-bind', 'memory/memory.py:15', 'memory'],
        ['low', 'no-health-endpoint', 'admin/admin.js', 'admin'],
        ['low', 'no-health-endpoint', 'experience/app.py', 'experience'],
        ['low', 'unsupported-language', 'legacy/main.go', 'legacy'],
      ],
    );
    assert.equal(
      inv.problems[0].message,
      'present in the source tree: .env sets 3 variable(s), secrets: SECRET_KEY, DATABASE_URL; keep only an .env.example in the repository',
    );
  });

  it('never puts a secret value in the inventory', () => {
    const json = JSON.stringify(inv);
    for (const secret of ['hunter2', 's3cr3t-value-123']) assert.ok(!json.includes(secret), `${secret} leaked`);
  });
});
