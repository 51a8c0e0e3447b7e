// The Alertmanager configuration, checked by the tool of the image that will run it: amtool
// (the shipped config, configs rendered by entrypoint.sh, routing) and a running Alertmanager
// (inhibition). Image: ALERTMANAGER_IMAGE when set, else the offline stand-in named in
// images/offline/manifest.json. Every check also runs on a deliberately broken copy, so a
// check that passes everything would fail here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type Run, dockerRun, toolScratch, toolImage } from '../helpers/tool-images.ts';
import { monitoringDir } from '../helpers/monitoring.ts';

const ALERTMANAGER = toolImage('alertmanager');
const amDir = path.join(monitoringDir, 'alertmanager');

const scratch = toolScratch(ALERTMANAGER, 'galaxy-amcfg-');

const amMounts: [string, string][] = [[amDir, '/etc/alertmanager']];

test('amtool check-config: the shipped config, with its routes, inhibitions and receiver', () => {
  const r = dockerRun(ALERTMANAGER, 'amtool', amMounts, ['check-config', '/etc/alertmanager/alertmanager.yml']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS/);
  const inhibit = (YAML.parse(fs.readFileSync(path.join(amDir, 'alertmanager.yml'), 'utf8')).inhibit_rules as unknown[]).length;
  assert.match(r.out, new RegExp(`- ${inhibit} inhibit rules`));
  assert.match(r.out, /- 2 receivers/);
});

test('amtool check-config fails on a route to an undefined receiver', () => {
  const dir = path.join(scratch(), 'broken-am');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'alertmanager.yml'),
    fs.readFileSync(path.join(amDir, 'alertmanager.yml'), 'utf8').replace('  receiver: warning\n', '  receiver: nowhere\n'),
  );
  const r = dockerRun(ALERTMANAGER, 'amtool', [[dir, '/etc/alertmanager']], ['check-config', '/etc/alertmanager/alertmanager.yml']);
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, /undefined receiver "nowhere"/);
});

for (const [label, settings] of [
  ['without channels (null receivers)', {}],
  [
    'with every channel',
    {
      ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      ALERT_SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack',
      ALERT_TELEGRAM_BOT_TOKEN: '1:token',
      ALERT_TELEGRAM_CHAT_ID: '-1',
      ALERT_EMAIL_TO: 'a@example.org',
      ALERT_EMAIL_FROM: 'b@example.org',
      ALERT_SMTP_SMARTHOST: '127.0.0.1:25',
      ALERT_SMTP_USERNAME: 'u',
      ALERT_SMTP_PASSWORD: 'p',
    },
  ],
] as const) {
  test(`entrypoint.sh renders a valid config inside the image ${label}`, () => {
    const script =
      'sh /etc/alertmanager/entrypoint.sh --render-only >/dev/null && amtool check-config /tmp/galaxy-alertmanager/alertmanager.yml' +
      ' && amtool config routes test --config.file=/tmp/galaxy-alertmanager/alertmanager.yml severity=critical service=backend alertname=TargetDown';
    const r = dockerRun(ALERTMANAGER, 'sh', amMounts, ['-c', script], settings);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
    assert.match(r.out, /^critical$/m, 'critical alerts route to the critical receiver');
    assert.match(r.out, 'ALERT_WEBHOOK_URL' in settings ? /critical alerts go to: webhook slack telegram email/ : /null receivers/);
  });
}

test('inhibition in a running Alertmanager: root causes stay active, consequences are suppressed', { timeout: 120_000 }, async () => {
  // A real Alertmanager (no network, config rendered by entrypoint.sh) fed alerts with amtool.
  const name = `galaxy-amtest-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
  const run = spawnSync(
    'docker',
    [
      'run',
      '-d',
      '--rm',
      '--name',
      name,
      '--network',
      'none',
      '--tmpfs',
      '/tmp:mode=1777',
      '-v',
      `${amDir}:/etc/alertmanager:ro`,
      '--entrypoint',
      '/bin/sh',
      ALERTMANAGER,
      '/etc/alertmanager/entrypoint.sh',
      '--storage.path=/tmp/data',
      '--cluster.listen-address=',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const amtool = (...args: string[]): Run => {
    const r = spawnSync('docker', ['exec', name, 'amtool', '--alertmanager.url=http://127.0.0.1:9093', ...args], { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  };
  try {
    const deadline = Date.now() + 30_000;
    while (amtool('cluster', 'show').code !== 0) {
      assert.ok(Date.now() < deadline, 'Alertmanager did not answer within 30 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    const alerts: string[][] = [
      ['alertname=PostgresDown', 'severity=critical', 'service=postgres'],
      ['alertname=ServiceUnhealthy', 'severity=critical', 'service=backend'],
      ['alertname=High5xxRate', 'severity=critical', 'service=backend'],
      ['alertname=HostDiskSpaceCritical', 'severity=critical', 'service=host', 'resource=disk'],
      ['alertname=HostDiskSpaceLow', 'severity=warning', 'service=host', 'resource=disk'],
      ['alertname=HostMemoryPressure', 'severity=warning', 'service=host', 'resource=memory'],
      ['alertname=TargetDown', 'severity=critical', 'service=memory-api'],
      ['alertname=ServiceUnhealthy', 'severity=critical', 'service=experience-api'],
      ['alertname=TargetDown', 'severity=critical', 'service=experience-api'],
      ['alertname=ContainerNotRunning', 'severity=critical', 'service=redis'],
      ['alertname=ServiceUnhealthy', 'severity=critical', 'service=redis'],
    ];
    for (const labels of alerts) {
      const r = amtool('alert', 'add', ...labels, '--annotation=summary=test');
      assert.equal(r.code, 0, r.out);
    }
    type Got = { labels: Record<string, string>; status: { state: string } };
    const key = (l: Record<string, string>): string => `${l.alertname}/${l.service}${l.resource ? `/${l.resource}` : ''}`;
    const expected: Record<string, string> = {
      'PostgresDown/postgres': 'active',
      'ServiceUnhealthy/backend': 'suppressed',
      'High5xxRate/backend': 'suppressed',
      'HostDiskSpaceCritical/host/disk': 'active',
      'HostDiskSpaceLow/host/disk': 'suppressed',
      'HostMemoryPressure/host/memory': 'active',
      'TargetDown/memory-api': 'active',
      'ServiceUnhealthy/experience-api': 'suppressed',
      'TargetDown/experience-api': 'active',
      'ContainerNotRunning/redis': 'active',
      'ServiceUnhealthy/redis': 'suppressed',
    };
    let states: Record<string, string> = {};
    // Inhibition is computed when alerts are listed; allow a few seconds for all to arrive.
    for (let i = 0; i < 20; i++) {
      const q = amtool('-o', 'json', 'alert', 'query', '--inhibited', '--silenced', '--active');
      assert.equal(q.code, 0, q.out);
      states = Object.fromEntries((JSON.parse(q.out) as Got[]).map((a) => [key(a.labels), a.status.state]));
      if (JSON.stringify(Object.entries(states).sort()) === JSON.stringify(Object.entries(expected).sort())) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual(states, expected);
  } finally {
    spawnSync('docker', ['rm', '-f', name], { encoding: 'utf8' });
  }
});
