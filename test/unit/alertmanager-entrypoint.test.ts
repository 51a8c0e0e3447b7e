// monitoring/alertmanager/entrypoint.sh renders Alertmanager's config from .env's ALERT_*
// settings (Alertmanager itself does not expand variables). Run with the host's sh in
// --render-only mode; the integration test (monitoring-live) sends real alerts through them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { criticalChannels } from '../../scripts/lib/alerts/alertmanager.ts';
import { monitoringDir } from '../helpers/monitoring.ts';

const script = path.join(monitoringDir, 'alertmanager', 'entrypoint.sh');
const template = path.join(monitoringDir, 'alertmanager', 'alertmanager.yml');

const ALL: Record<string, string> = {
  ALERT_WEBHOOK_URL: 'http://127.0.0.1:9999/hook?a=1&b=x|y',
  ALERT_SLACK_WEBHOOK_URL: 'https://hooks.example.org/services/T0/B0/secret-slack',
  ALERT_SLACK_CHANNEL: '#ops',
  ALERT_TELEGRAM_BOT_TOKEN: '123456:secret-telegram',
  ALERT_TELEGRAM_CHAT_ID: '-1001',
  ALERT_EMAIL_TO: 'oncall@example.org,lead@example.org',
  ALERT_EMAIL_FROM: 'alerts@example.org',
  ALERT_SMTP_SMARTHOST: 'smtp.example.org:587',
  ALERT_SMTP_USERNAME: 'alerts',
  ALERT_SMTP_PASSWORD: 'secret-smtp',
};

function render(settings: Record<string, string>): { status: number | null; stdout: string; stderr: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'galaxy-am-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GALAXY_ALERTMANAGER_TEMPLATE: template, GALAXY_ALERTMANAGER_RENDER_DIR: dir, ...settings };
  const r = spawnSync('sh', [script, '--render-only'], { env, encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

test('no channel set: both receivers are null receivers, routing and inhibition intact', () => {
  for (const settings of [{}, { ALERT_WEBHOOK_URL: '' }] as Record<string, string>[]) {
    const r = render(settings);
    assert.equal(r.status, 0, r.stderr);
    const cfg = YAML.parse(r.stdout);
    assert.deepEqual(cfg.receivers, [{ name: 'critical' }, { name: 'warning' }]);
    assert.equal(cfg.route.receiver, 'warning');
    assert.equal(cfg.route.routes[0].receiver, 'critical');
    assert.equal(cfg.route.group_interval, '5m');
    assert.ok(cfg.inhibit_rules.length >= 3, 'inhibition survives rendering');
    assert.deepEqual(fs.readdirSync(r.dir), ['alertmanager.yml']);
    assert.match(r.stderr, /null receivers/);
    fs.rmSync(r.dir, { recursive: true });
  }
});

test('every channel set: critical goes to all four, secrets only in private files, never in the config', () => {
  const r = render(ALL);
  assert.equal(r.status, 0, r.stderr);
  const cfg = YAML.parse(r.stdout);
  assert.deepEqual(criticalChannels(r.stdout), ['webhook', 'slack', 'telegram', 'email']);
  const [critical] = cfg.receivers;
  assert.equal(critical.webhook_configs[0].url_file, path.join(r.dir, 'webhook-url'));
  assert.equal(critical.slack_configs[0].api_url_file, path.join(r.dir, 'slack-url'));
  assert.equal(critical.slack_configs[0].channel, '#ops');
  assert.equal(critical.telegram_configs[0].bot_token_file, path.join(r.dir, 'telegram-token'));
  assert.equal(critical.telegram_configs[0].chat_id, -1001);
  assert.equal(critical.email_configs[0].auth_password_file, path.join(r.dir, 'smtp-password'));
  assert.equal(critical.email_configs[0].to, 'oncall@example.org,lead@example.org');
  assert.equal(critical.email_configs[0].require_tls, true);
  for (const config of [critical.webhook_configs, critical.slack_configs, critical.telegram_configs, critical.email_configs])
    assert.equal(config[0].send_resolved, true);
  for (const secret of ['9999/hook', 'secret-slack', 'secret-telegram', 'secret-smtp'])
    assert.ok(!r.stdout.includes(secret), `${secret} stays out of the config`);
  assert.equal(fs.readFileSync(path.join(r.dir, 'webhook-url'), 'utf8'), ALL.ALERT_WEBHOOK_URL);
  for (const file of ['webhook-url', 'slack-url', 'telegram-token', 'smtp-password'])
    assert.equal(fs.statSync(path.join(r.dir, file)).mode & 0o077, 0, `${file} readable by its owner only`);
  // Warnings go to every channel unless ALERT_WARNING_CHANNELS narrows them.
  assert.deepEqual(Object.keys(cfg.receivers[1]).filter((k) => k.endsWith('_configs')).length, 4);
  fs.rmSync(r.dir, { recursive: true });
});

test('ALERT_WARNING_CHANNELS and ALERT_GROUP_INTERVAL shape the warning route', () => {
  const r = render({ ...ALL, ALERT_WARNING_CHANNELS: 'slack,email', ALERT_GROUP_INTERVAL: '10s' });
  assert.equal(r.status, 0, r.stderr);
  const cfg = YAML.parse(r.stdout);
  assert.deepEqual(
    Object.keys(cfg.receivers[1]).filter((k) => k.endsWith('_configs')),
    ['slack_configs', 'email_configs'],
  );
  assert.equal(cfg.route.group_interval, '10s');
  assert.match(r.stderr, /warnings to: slack email/);
  fs.rmSync(r.dir, { recursive: true });
});

test('a bad value is refused with exit 2 and one line naming the setting, before anything starts', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ ALERT_WEBHOOK_URL: 'ftp://127.0.0.1/x' }, /ALERT_WEBHOOK_URL must start with http/],
    [{ ALERT_TELEGRAM_BOT_TOKEN: '123456:abc' }, /both ALERT_TELEGRAM_BOT_TOKEN and ALERT_TELEGRAM_CHAT_ID/],
    [{ ALERT_TELEGRAM_BOT_TOKEN: '123456:abc', ALERT_TELEGRAM_CHAT_ID: 'ops' }, /ALERT_TELEGRAM_CHAT_ID must be a number/],
    [{ ALERT_EMAIL_TO: 'a@b.org' }, /e-mail needs ALERT_EMAIL_TO, ALERT_EMAIL_FROM and ALERT_SMTP_SMARTHOST/],
    [{ ALERT_EMAIL_TO: "a@b.org'x", ALERT_EMAIL_FROM: 'c@d.org', ALERT_SMTP_SMARTHOST: 'h:25' }, /ALERT_EMAIL_TO must be one or more addresses/],
    [{ ALERT_EMAIL_TO: 'a@b.org', ALERT_EMAIL_FROM: 'c@d.org', ALERT_SMTP_SMARTHOST: 'h' }, /ALERT_SMTP_SMARTHOST must be host:port/],
    [{ ALERT_GROUP_INTERVAL: 'soon' }, /ALERT_GROUP_INTERVAL must be a duration/],
    [{ ALERT_SLACK_WEBHOOK_URL: 'https://h/x', ALERT_WARNING_CHANNELS: 'email' }, /ALERT_WARNING_CHANNELS names email, which .env does not configure/],
  ];
  for (const [settings, message] of cases) {
    const r = render(settings);
    assert.equal(r.status, 2, `${JSON.stringify(settings)}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    fs.rmSync(r.dir, { recursive: true });
  }
});
