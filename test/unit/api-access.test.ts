// Who may write (issue #12 point 4, docs/SECURITY.md), as the files set it up: the API token is a
// generated secret of .env.example that an existing .env gains on the next start, compose hands it
// to exactly the services that check or send it, the frontend adds it only to browser requests, and
// the edge rate-limits writes to /api/ but never the reads the deploy tests send.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { addMissingSecrets, generateSecret, parseEnvExample, renderNewEnv } from '../../scripts/lib/env.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

// The services' own rule for a token (services/backend/src/auth.ts, services/pylib/galaxy_http.py).
const SERVICE_TOKEN_RULE = /^[A-Za-z0-9._~+/=-]{16,256}$/;
// Those that check the token on writes or send it: the three APIs, and the frontend's nginx.
const HOLDERS = ['backend', 'memory-api', 'experience-api', 'frontend'];

interface ComposeService {
  environment?: Record<string, string>;
}

test('.env.example declares API_TOKEN as a generated secret the services accept', () => {
  const token = parseEnvExample(read('.env.example')).find((v) => v.name === 'API_TOKEN');
  assert.ok(token, '.env.example has no API_TOKEN');
  assert.equal(token.secret, true, 'API_TOKEN must be tagged @secret (generated on first start)');
  // Not @required: addMissingSecrets adds only optional secrets, so an .env made before the token
  // existed gains one on the next start instead of failing validation.
  assert.equal(token.required, false);
  const rendered = /^API_TOKEN=(.*)$/m.exec(renderNewEnv(read('.env.example')))?.[1] ?? '';
  assert.match(rendered, SERVICE_TOKEN_RULE);
  for (let i = 0; i < 50; i++) assert.match(generateSecret(), SERVICE_TOKEN_RULE);
});

test('an existing .env without API_TOKEN gains one on the next start', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'galaxy-token-'));
  writeFileSync(path.join(dir, '.env'), 'COMPOSE_PROJECT_NAME=old\n');
  writeFileSync(path.join(dir, 'example'), read('.env.example'));
  const before = process.env.API_TOKEN;
  delete process.env.API_TOKEN;
  try {
    assert.ok(addMissingSecrets(path.join(dir, '.env'), path.join(dir, 'example'), () => 'T0KEN-generated-0123456789').includes('API_TOKEN'));
  } finally {
    if (before !== undefined) process.env.API_TOKEN = before;
  }
  assert.match(readFileSync(path.join(dir, '.env'), 'utf8'), /^API_TOKEN=T0KEN-generated-0123456789$/m);
});

test('compose passes the token from .env to every service that checks or sends it, and to no other', () => {
  const services = (parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> }).services;
  for (const name of HOLDERS) {
    assert.match(services[name]?.environment?.API_TOKEN ?? '', /^\$\{API_TOKEN:\?[^}]+\}$/, `${name} must get API_TOKEN from .env, required`);
  }
  const others = Object.entries(services).filter(([name, s]) => !HOLDERS.includes(name) && s.environment?.API_TOKEN !== undefined);
  assert.deepEqual(
    others.map(([name]) => name),
    [],
  );
  // The overrides never replace it with a literal: compose files are its one route from .env.
  for (const file of ['docker-compose.dev.yml', 'docker-compose.prod.yml']) assert.doesNotMatch(read(file), /API_TOKEN/, file);
  // Only the site's own origins may write from a browser: the edge's plain and HTTPS ports on this
  // machine, and the names PUBLIC_ORIGINS adds for users on other machines (validated by env.ts).
  assert.equal(
    services.backend.environment?.API_ALLOWED_ORIGINS,
    'http://127.0.0.1:${FRONTEND_PORT},http://localhost:${FRONTEND_PORT},https://127.0.0.1:${EDGE_HTTPS_PORT:-8443},https://localhost:${EDGE_HTTPS_PORT:-8443},${PUBLIC_ORIGINS:-}',
  );
  for (const name of ['memory-api', 'experience-api']) assert.equal(services[name].environment?.API_ALLOWED_ORIGINS, undefined, `${name}: no page may write`);
});

test('the frontend adds the token only to requests that carry an Origin, and passes the rest on', () => {
  const template = read('services/frontend/templates/default.conf.template');
  const map = /map \$http_origin \$api_authorization \{([^}]*(?:\}[^}]*)?)\n\}/.exec(template)?.[1] ?? '';
  assert.match(map, /^\s*""\s+\$http_authorization;$/m, "no Origin: the client's own Authorization, or none");
  assert.match(map, /^\s*default\s+"Bearer \$\{API_TOKEN\}";$/m);
  // Reads and writes (@api_write) forward with the same shared settings, the Authorization among them.
  for (const location of ['/api/', '@api_write']) {
    const body = new RegExp(`location ${location} \\{\\n([\\s\\S]*?)\\n {4}\\}`).exec(template)?.[1] ?? '';
    assert.match(body, /^\s*include \/etc\/nginx\/snippets\/to-backend\.conf;$/m, location);
  }
  assert.match(read('services/frontend/snippets/to-backend.conf'), /^proxy_set_header Authorization \$api_authorization;$/m);
  assert.doesNotMatch(read('services/frontend/Dockerfile'), /API_TOKEN/, 'no default token baked into the image');
  for (const file of ['app.js', 'status.js', 'index.html', 'status.html'])
    assert.doesNotMatch(read(`services/frontend/site/${file}`), /API_TOKEN|[Aa]uthorization|Bearer/, file);
});

/** The edge's maps, read from its template and applied as nginx does: exact strings, then regexes
 * in order, else the default. */
function edgeMap(template: string, variable: string): (request: string) => string {
  const body = new RegExp(`map "\\$request_method \\$uri" \\$${variable} \\{\\n([\\s\\S]*?)\\n\\}`).exec(template)?.[1];
  assert.ok(body, `no map for $${variable}`);
  const rows = body
    .split('\n')
    .map((l) => /^\s*("[^"]*"|\S+)\s+(\S+);$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[1].replace(/^"|"$/g, ''), value: m[2].replace(/^"|"$/g, '') }));
  return (request) => {
    const exact = rows.find((r) => !r.key.startsWith('~') && r.key !== 'default' && r.key === request);
    if (exact) return exact.value;
    const regex = rows.find((r) => r.key.startsWith('~') && new RegExp(r.key.slice(1)).test(request));
    return (regex ?? rows.find((r) => r.key === 'default'))?.value ?? '';
  };
}

test('the edge rate-limits writes to /api/ with 429, never the reads the deploy tests send', () => {
  // Both modes' templates (plain, and prod's TLS) take the limits and the site from the same snippets.
  for (const mode of ['templates', 'templates-tls']) {
    const text = read(`services/edge/${mode}/default.conf.template`);
    assert.match(text, /^include \/etc\/nginx\/snippets\/limits\.conf;$/m, mode);
    assert.match(text, /^\s+include \/etc\/nginx\/snippets\/site\.conf;$/m, mode);
  }
  const template = read('services/edge/snippets/limits.conf') + read('services/edge/snippets/site.conf');
  const writes = edgeMap(template, 'api_write_client');
  const chats = edgeMap(template, 'api_chat_client');
  // An empty key is not counted by limit_req.
  for (const read of ['GET /api/version', 'HEAD /api/version', 'GET /api/status', 'GET /api/notes', 'GET /health', 'GET /']) {
    assert.equal(writes(read), '', `${read} must not be rate-limited`);
    assert.equal(chats(read), '', read);
  }
  for (const write of ['POST /api/notes', 'DELETE /api/notes/1', 'POST /api/chat', 'PUT /api/x', 'PATCH /api/notes/2'])
    assert.equal(writes(write), '$binary_remote_addr', write);
  assert.equal(writes('POST /index.html'), '', 'only /api/ is counted');
  assert.equal(chats('POST /api/chat'), '$binary_remote_addr');
  assert.equal(chats('POST /api/notes'), '');
  assert.match(template, /limit_req_zone \$api_write_client zone=api_writes:\w+ rate=\d+r\/s;/);
  assert.match(template, /limit_req_zone \$api_chat_client zone=api_chat:\w+ rate=\d+r\/m;/);
  assert.match(template, /limit_req_status 429;/);
  assert.match(template, /limit_req zone=api_writes burst=\d+ nodelay;/);
  assert.match(template, /limit_req zone=api_chat burst=\d+ nodelay;/);
  assert.match(template, /error_page 429 @rate_limited;/);
  const answer = /location @rate_limited \{[^}]*return 429 '([^']*)';/.exec(template)?.[1];
  assert.ok(answer, 'the 429 is answered with a JSON error');
  assert.equal(typeof (JSON.parse(answer) as { error?: unknown }).error, 'string');
});
