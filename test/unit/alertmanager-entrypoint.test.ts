// monitoring/alertmanager/entrypoint.sh renders Alertmanager's config from .env's
// ALERT_WEBHOOK_URL (Alertmanager itself does not expand variables). Run with the host's sh
// in --render-only mode; the integration test checks the rendered files with amtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { monitoringDir } from '../helpers/monitoring.ts';

const script = path.join(monitoringDir, 'alertmanager', 'entrypoint.sh');
const template = path.join(monitoringDir, 'alertmanager', 'alertmanager.yml');

function render(url: string | undefined): { status: number | null; stdout: string; stderr: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'galaxy-am-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GALAXY_ALERTMANAGER_TEMPLATE: template, GALAXY_ALERTMANAGER_RENDER_DIR: dir };
  if (url !== undefined) env.ALERT_WEBHOOK_URL = url;
  const r = spawnSync('sh', [script, '--render-only'], { env, encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

test('empty ALERT_WEBHOOK_URL: the default receiver has no integration (null receiver)', () => {
  for (const url of [undefined, '']) {
    const r = render(url);
    assert.equal(r.status, 0, r.stderr);
    const cfg = YAML.parse(r.stdout);
    assert.deepEqual(cfg.receivers, [{ name: 'default' }]);
    assert.equal(cfg.route.receiver, 'default');
    assert.ok(cfg.inhibit_rules.length >= 3, 'inhibition survives rendering');
    assert.ok(!fs.existsSync(path.join(r.dir, 'webhook-url')));
    assert.match(r.stderr, /null receiver/);
    fs.rmSync(r.dir, { recursive: true });
  }
});

test('ALERT_WEBHOOK_URL set: webhook reads the URL from a private file, not from the config', () => {
  const url = 'http://127.0.0.1:9999/hook?a=1&b=x|y';
  const r = render(url);
  assert.equal(r.status, 0, r.stderr);
  const cfg = YAML.parse(r.stdout);
  const hook = cfg.receivers[0].webhook_configs[0];
  assert.equal(hook.url_file, path.join(r.dir, 'webhook-url'));
  assert.equal(hook.send_resolved, true);
  assert.ok(!r.stdout.includes('127.0.0.1:9999'), 'the URL must not be written into the config');
  const file = path.join(r.dir, 'webhook-url');
  assert.equal(fs.readFileSync(file, 'utf8'), url);
  assert.equal(fs.statSync(file).mode & 0o077, 0, 'URL file readable by its owner only');
  fs.rmSync(r.dir, { recursive: true });
});

test('a URL that is not http(s) is refused with exit 2 before anything starts', () => {
  const r = render('ftp://127.0.0.1/x');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /must start with http/);
  fs.rmSync(r.dir, { recursive: true });
});
