// The admin UIs' credentials: who gets them, the web config Prometheus and Alertmanager read, and
// that the compose files mount the file make start writes (scripts/lib/admin-auth.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import YAML from 'yaml';
import { adminAuthHeaders, adminCredentials, ensureWebConfig, webConfigAdmits } from '../../scripts/lib/admin-auth.ts';
import { UsageError } from '../../scripts/lib/errors.ts';
import { kitRoot } from '../../scripts/lib/paths.ts';
import { projectFiles } from '../../scripts/lib/state/files.ts';

test('credentials come from .env; no password means no admin UIs to guard', () => {
  assert.deepEqual(adminCredentials({ ADMIN_PASSWORD: 'pw' }), { user: 'admin', password: 'pw' });
  assert.deepEqual(adminCredentials({ ADMIN_USER: 'ops.team', ADMIN_PASSWORD: 'pw' }), { user: 'ops.team', password: 'pw' });
  assert.equal(adminCredentials({}), undefined);
  for (const user of ['a b', 'a:b', 'ünï', 'x'.repeat(65), 'a"b'])
    assert.throws(
      () => adminCredentials({ ADMIN_USER: user, ADMIN_PASSWORD: 'pw' }),
      (err: Error) => err instanceof UsageError && /^\.env has ADMIN_USER=.*: use 1 to 64 letters/.test(err.message),
    );
});

test('only services labelled galaxy.admin-auth=basic are sent the credentials', () => {
  const values = { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'pw' };
  assert.deepEqual(adminAuthHeaders({ labels: { 'galaxy.admin-auth': 'basic' } }, values), {
    authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}`,
  });
  assert.deepEqual(adminAuthHeaders({ labels: {} }, values), {});
  assert.deepEqual(adminAuthHeaders({ labels: { 'galaxy.admin-auth': 'true' } }, values), {});
  assert.deepEqual(adminAuthHeaders({ labels: { 'galaxy.admin-auth': 'basic' } }, {}), {});
});

test('the web config holds one user with a bcrypt hash, rewritten only when the credentials change', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'admin-web-')), 'web.yml');
  const credentials = { user: 'admin', password: 's3cret' };
  assert.equal(ensureWebConfig(file, credentials), true);
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /s3cret/, 'never the password itself');
  const users = (YAML.parse(text) as { basic_auth_users: Record<string, string> }).basic_auth_users;
  assert.deepEqual(Object.keys(users), ['admin']);
  assert.ok(bcrypt.compareSync('s3cret', users.admin));
  assert.equal(statSync(file).mode & 0o777, 0o644, 'the servers run as nobody');
  assert.equal(ensureWebConfig(file, credentials), false, 'same credentials: the file stays as it is');
  assert.equal(readFileSync(file, 'utf8'), text);
  assert.equal(ensureWebConfig(file, { user: 'admin', password: 'changed' }), true);
  assert.ok(webConfigAdmits(readFileSync(file, 'utf8'), { user: 'admin', password: 'changed' }));
  assert.equal(webConfigAdmits(readFileSync(file, 'utf8'), credentials), false);
  writeFileSync(file, 'basic_auth_users: [not, a, map');
  assert.equal(webConfigAdmits(readFileSync(file, 'utf8'), credentials), false, 'a broken file is rewritten');
});

test('compose mounts the web config make start writes, and the admin UIs are labelled as asking for it', () => {
  const compose = YAML.parse(readFileSync(path.join(kitRoot, 'docker-compose.yml'), 'utf8'));
  const source = compose.configs['admin-web'].file.replace('${COMPOSE_PROJECT_NAME:-galaxy}', 'galaxy');
  assert.equal(path.resolve(kitRoot, source), projectFiles('galaxy').adminWebConfig);
  for (const name of ['prometheus', 'alertmanager']) {
    const svc = compose.services[name];
    assert.ok(svc.command.includes('--web.config.file=/etc/galaxy/admin-web.yml'), `${name} checks the credentials`);
    assert.deepEqual(svc.configs, [{ source: 'admin-web', target: '/etc/galaxy/admin-web.yml' }]);
    assert.equal(svc.labels['galaxy.admin-auth'], 'basic');
    assert.ok(svc.healthcheck.test.includes('--http.config.file=/tmp/galaxy-admin/http.yml'), `${name}'s health check presents them`);
  }
  assert.equal(compose.services.watcher.labels['galaxy.admin-auth'], 'basic');
});
