// Checks against a running stack with the monitoring profile: the one named by the variables
// below, or else a throwaway copy (TestStack) this file starts itself and removes at the end.
//   GALAXY_TEST_STACK_URL_PROMETHEUS    e.g. http://127.0.0.1:9090
//   GALAXY_TEST_STACK_URL_ALERTMANAGER  e.g. http://127.0.0.1:9093 (alert flow)
//   GALAXY_TEST_PROJECT                 compose project name of that stack (alert flow)
//   GALAXY_TEST_ENV_FILE                its .env (default: the project's .env)
//   GALAXY_TEST_COMPOSE_FILES           its compose files, ':'-separated (default: docker-compose.yml)
// The alert flow layers test/fixtures/compose.monitoring-fast.yml on the stack (TargetDown
// and friends with `for: 5s`) only if the running Prometheus does not already use it, and
// restores the shipped rules afterwards; it also layers test/fixtures/compose.alert-sinks.yml
// (stand-ins for a webhook, Slack, Telegram and SMTP, Alertmanager pointed at them through the
// ALERT_* settings) and removes it afterwards. Traffic goes to 127.0.0.1 only; every wait is bounded.
import { after, before, test } from 'node:test';
import { MonitoringStack } from '../helpers/monitoring-stack.ts';
import { explain } from '../harness/stack.ts';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseComposeConfig } from '../../scripts/lib/compose.ts';
import { probeTargets } from '../../scripts/lib/monitoring/targets.ts';
import { CHANNELS, receivedNotices } from '../helpers/alert-sinks.ts';
import { downAlertNames, missingLiveMetrics, sleep, waitFor } from '../helpers/live-monitoring.ts';
import { root } from '../helpers/monitoring.ts';

const live = new MonitoringStack();
before(() => live.connect(), { timeout: 900_000 });
after(() => live.close());
const SKIP_NO_STACK = 'GALAXY_TEST_STACK_URL_PROMETHEUS is not set: no running stack to check';

test('live Prometheus has every always-present metric name the dashboards and rules rely on', async (t) => {
  if (!live.prom) return t.skip(SKIP_NO_STACK);
  // Exporters and the watcher are scraped every 5-15 s: give a just-started stack time to be seen.
  let result = await missingLiveMetrics(live.prom, live.headers());
  for (let i = 0; i < 45 && result.missing.length > 0; i++) {
    await sleep(2_000);
    result = await missingLiveMetrics(live.prom, live.headers());
  }
  const { missing, notYetSeen } = result;
  if (notYetSeen.length > 0) t.diagnostic(`not seen yet (appear with traffic, a restart, a backup or an alert): ${notYetSeen.join(', ')}`);
  assert.deepEqual(missing, []);
});

test('live Prometheus scrapes every configured target successfully', async (t) => {
  if (!live.prom) return t.skip(SKIP_NO_STACK);
  type Target = { labels: Record<string, string>; health: string; lastError: string };
  const down = await waitFor('all targets up', 60_000, 2_000, async () => {
    const { data } = await live.getJson<{ data: { activeTargets: Target[] } }>(`${live.prom}/api/v1/targets?state=active`);
    const bad = data.activeTargets.filter((x) => x.health !== 'up');
    return bad.length === 0 ? [] : undefined;
  }).catch(async (err: Error) => {
    const { data } = await live.getJson<{ data: { activeTargets: Target[] } }>(`${live.prom}/api/v1/targets?state=active`);
    return [err.message, ...data.activeTargets.filter((x) => x.health !== 'up').map((x) => `${x.labels.job}: ${x.lastError}`)];
  });
  assert.deepEqual(down, []);
});

test('every public endpoint is probed for the availability SLO, and make report reads the figure from Prometheus', async (t) => {
  if (!live.prom || !live.project) return t.skip(SKIP_NO_STACK);
  // The endpoints the compose files publish (the kit's own rule, from compose's own model).
  const config = live.compose(['config', '--format', 'json']);
  assert.equal(config.code, 0, config.out);
  const expected = probeTargets(parseComposeConfig(config.stdout))
    .map((g) => g.labels.service)
    .sort();
  assert.ok(expected.length >= 3, `public endpoints: ${expected.join(', ')}`);
  const probed = await waitFor('a successful probe of every public endpoint', 90_000, 2_000, async () => {
    const up = (await live.query('probe_success{job="blackbox"} == 1')).map((r) => r.labels.service).sort();
    return JSON.stringify(up) === JSON.stringify(expected) ? up : undefined;
  });
  assert.deepEqual(probed, expected);
  const recorded = await waitFor('the availability recording rule', 120_000, 5_000, async () => {
    const rows = await live.query('service:probe_availability:ratio_1h');
    return rows.length === expected.length ? rows : undefined;
  });
  for (const r of recorded)
    // A ratio: how high depends on how soon after start the first probe came (the rule's
    // arithmetic is promtool's test, monitoring/prometheus/tests/slo.test.yml).
    assert.ok(r.value >= 0 && r.value <= 1, `${r.labels.service}: ${r.value}`);
  if (!live.own) return;
  const out = path.join(live.own.dir, 'report.md');
  const report = await live.own.script('report', ['--out', out, '--samples', '1']);
  const written = fs.readFileSync(out, 'utf8');
  const row = written.split('\n').find((line) => line.startsWith('| availability'));
  // The Monitoring section: from the same Prometheus, with the admin credentials.
  assert.match(written, /^## Monitoring$/m);
  assert.match(written, /^Alerts firing now: /m);
  assert.match(written, /^Availability of every public endpoint together .*: 1h \d+\.\d{3} %/m);
  assert.match(row ?? '', new RegExp(`Prometheus: \\d+ probes of ${expected.length} public endpoints over `), explain(report));
});

test('per-container CPU, memory against its compose limit and network reach Prometheus for every running service', async (t) => {
  if (!live.prom || !live.project) return t.skip(SKIP_NO_STACK);
  const config = live.compose(['config', '--format', 'json']);
  assert.equal(config.code, 0, config.out);
  type Limits = { deploy?: { resources?: { limits?: { cpus?: string | number; memory?: string | number } } } };
  const services = JSON.parse(config.stdout).services as Record<string, Limits>;
  const running = live.compose(['ps', '--status', 'running', '--services']).stdout.trim().split('\n').filter(Boolean).sort();
  const byService = async (name: string) => new Map((await live.query(name)).map((r) => [r.labels.service, r.value]));
  await waitFor('memory and CPU series for every running service', 90_000, 3_000, async () => {
    const memory = await byService('galaxy_container_memory_bytes');
    const cpu = await byService('rate(galaxy_container_cpu_seconds_total[1m])');
    return running.every((s) => memory.has(s) && cpu.has(s)) ? true : undefined;
  });
  const memory = await byService('galaxy_container_memory_bytes');
  const memoryLimit = await byService('galaxy_container_memory_limit_bytes');
  const cpuLimit = await byService('galaxy_container_cpu_limit_cores');
  const received = await byService('galaxy_container_network_receive_bytes_total');
  for (const name of running) {
    const limits = services[name]?.deploy?.resources?.limits;
    assert.ok((memory.get(name) ?? 0) > 0, `${name}: memory in use`);
    if (limits?.memory !== undefined) {
      assert.equal(memoryLimit.get(name), Number(limits.memory), `${name}: the memory limit compose set`);
      assert.ok((memory.get(name) ?? 0) < Number(limits.memory), `${name}: below its limit`);
    }
    if (limits?.cpus !== undefined) assert.equal(cpuLimit.get(name), Number(limits.cpus), `${name}: the CPU limit compose set`);
  }
  // Every service on a network has received something by now (health checks, scrapes, probes).
  assert.ok(
    [...received.values()].some((v) => v > 0),
    'network bytes are counted',
  );
  const oom = await live.query('galaxy_container_oom_kills_total');
  const counted = new Set(oom.map((r) => r.labels.service));
  assert.deepEqual(
    running.filter((name) => !counted.has(name)),
    [],
    'an OOM counter from 0 for every container',
  );
});

test('live Prometheus refuses its lifecycle API: nobody can stop or reload it over HTTP', async (t) => {
  if (!live.prom) return t.skip(SKIP_NO_STACK);
  for (const action of ['quit', 'reload']) {
    // With the admin credentials: the API is off, not merely behind the login.
    const res: Response = await fetch(`${live.prom}/-/${action}`, { method: 'POST', headers: live.headers(), signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 403, `POST /-/${action} answered ${res.status}`);
    assert.match(await res.text(), /Lifecycle API is not enabled/);
  }
  assert.equal((await fetch(`${live.prom}/-/ready`, { headers: live.headers(), signal: AbortSignal.timeout(5_000) })).status, 200, 'still running');
});

test('the admin UIs ask for basic auth on every path; the watcher health stays public', async (t) => {
  if (!live.prom || !live.am) return t.skip(SKIP_NO_STACK);
  const watcher = live.own?.url('WATCHER_PORT', '');
  const guarded = [
    `${live.prom}/-/ready`,
    `${live.prom}/-/healthy`,
    `${live.prom}/api/v1/query?query=up`,
    `${live.prom}/graph`,
    `${live.am}/-/ready`,
    `${live.am}/api/v2/status`,
    ...(watcher ? [`${watcher}/metrics`] : []),
  ];
  const wrong = { authorization: `Basic ${Buffer.from('admin:not-the-password').toString('base64')}` };
  const status = async (url: string, headers: Record<string, string>) =>
    (await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(5_000) })).status;
  for (const url of guarded) {
    assert.equal(await status(url, {}), 401, `${url} without credentials`);
    assert.equal(await status(url, wrong), 401, `${url} with a wrong password`);
    assert.ok([200, 302].includes(await status(url, live.headers())), `${url} with the admin credentials`);
  }
  // A write too: silencing every alert is exactly what a page in the operator's browser must not do.
  const silence = await fetch(`${live.am}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'alertname', value: '.+', isRegex: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 60_000).toISOString(),
      createdBy: 'test',
      comment: 'must be refused',
    }),
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(silence.status, 401, 'a silence without credentials');
  if (watcher) assert.equal(await status(`${watcher}/health`, {}), 200, 'the watcher health stays public (its health check)');
});

test('alert flow: memory-api stopped -> alert firing in Alertmanager -> started -> resolved', { timeout: 600_000 }, async (t) => {
  if (!live.prom) return t.skip(SKIP_NO_STACK);
  if (!live.am || !live.project) return t.skip('GALAXY_TEST_STACK_URL_ALERTMANAGER and GALAXY_TEST_PROJECT are needed to drive the alert flow');
  const fastFile = path.join(root, 'test', 'fixtures', 'compose.monitoring-fast.yml');
  const sinksFile = path.join(root, 'test', 'fixtures', 'compose.alert-sinks.yml');
  let swapped = false;
  const setPrometheusRules = (fast: boolean): void => {
    const r = live.compose(['up', '-d', '--no-deps', '--wait', '--wait-timeout', '90', 'prometheus'], fast ? [fastFile] : []);
    assert.equal(r.code, 0, r.out);
  };
  try {
    if (!(await live.fastRulesActive())) {
      t.diagnostic('recreating prometheus with test/fixtures/compose.monitoring-fast.yml');
      setPrometheusRules(true);
      swapped = true;
      await waitFor('Prometheus ready with fast rules', 60_000, 1_000, async () => ((await live.fastRulesActive()) ? true : undefined));
    }
    await waitFor('memory-api target up before the test', 90_000, 2_000, async () => {
      const { data } = await live.getJson<{ data: { result: { value: [number, string] }[] } }>(
        `${live.prom}/api/v1/query?query=${encodeURIComponent('up{job="memory-api"}')}`,
      );
      return data.result[0]?.value[1] === '1' ? true : undefined;
    });
    // A Prometheus that was just recreated forgets what it had sent: its old alerts linger in
    // Alertmanager until their endsAt (a few minutes). Start from a clean slate. Starting the
    // stack with the fast override in the first place avoids both the swap and this wait.
    await waitFor('no memory-api down alert before the test', 300_000, 5_000, async () =>
      (await live.downAlerts('memory-api')).length === 0 ? true : undefined,
    );
    // Alertmanager re-rendered with every channel pointed at the stand-ins, which start empty.
    const sinks = live.compose(['up', '-d', '--no-deps', '--wait', '--wait-timeout', '90', 'alert-sinks', 'alertmanager'], [sinksFile]);
    assert.equal(sinks.code, 0, sinks.out);
    const sinksUrl = `http://${live.compose(['port', 'alert-sinks', '8080'], [sinksFile]).stdout.trim()}`;

    const stop = live.compose(['stop', 'memory-api']);
    assert.equal(stop.code, 0, stop.out);
    const started = Date.now();
    const firing = await waitFor('a memory-api down alert in Alertmanager', 120_000, 2_000, async () => {
      const alerts = await live.downAlerts('memory-api');
      return alerts.length > 0 ? alerts : undefined;
    });
    t.diagnostic(`firing after ${((Date.now() - started) / 1000).toFixed(1)} s: ${firing.map((a) => `${a.labels.alertname}(${a.status.state})`).join(', ')}`);
    for (const a of firing) {
      assert.equal(a.labels.service, 'memory-api');
      assert.equal(a.labels.severity, 'critical');
      // Inhibited (suppressed) alerts are still received: the root cause shows as active.
      assert.match(a.status.state, /^(active|suppressed)$/);
    }
    assert.ok(
      firing.some((a) => a.status.state === 'active'),
      'at least one memory-api alert is not inhibited',
    );

    // Every channel tells people once per alert: the alerts Alertmanager notified (the webhook
    // sees each group) reach Slack, Telegram and e-mail too, with the summary and the runbook.
    const summaries = new Map(firing.map((a) => [a.labels.alertname, a.annotations.summary]));
    // Waited for until every channel has told of the same alerts (they are sent one by one).
    const sorted = (names: string[]) => [...names].sort().join(',');
    const sent = await waitFor('the same firing messages about memory-api on every channel', 120_000, 2_000, async () => {
      const names = downAlertNames(await receivedNotices(sinksUrl), 'firing');
      return names.webhook.length > 0 && CHANNELS.every((c) => sorted(names[c]) === sorted(names.webhook)) ? names : undefined;
    });
    t.diagnostic(`firing messages: ${JSON.stringify(sent)}`);
    const notified = [...new Set(sent.webhook)].sort();
    for (const channel of CHANNELS) assert.deepEqual([...sent[channel]].sort(), notified, `${channel}: one firing message per notified alert`);
    for (const n of (await receivedNotices(sinksUrl)).filter((x) => x.service === 'memory-api')) {
      assert.match(n.text, /runbook: docs\/TROUBLESHOOTING\.md#/, `${n.channel} names the runbook`);
      const summary = summaries.get(n.alertname);
      if (summary) assert.ok(n.text.includes(summary), `${n.channel} carries the summary of ${n.alertname}`);
    }

    const start = live.compose(['start', 'memory-api']);
    assert.equal(start.code, 0, start.out);
    const restarted = Date.now();
    await waitFor('memory-api alerts resolved in Alertmanager', 180_000, 2_000, async () =>
      (await live.downAlerts('memory-api')).length === 0 ? true : undefined,
    );
    t.diagnostic(`resolved ${((Date.now() - restarted) / 1000).toFixed(1)} s after the start`);
    const resolved = await waitFor('a resolved message for every notified alert on every channel', 120_000, 2_000, async () => {
      const names = downAlertNames(await receivedNotices(sinksUrl), 'resolved');
      return CHANNELS.every((c) => notified.every((name) => names[c].includes(name))) ? names : undefined;
    });
    t.diagnostic(`resolved messages: ${JSON.stringify(resolved)}`);
    for (const channel of CHANNELS)
      assert.deepEqual(resolved[channel].filter((name) => notified.includes(name)).sort(), notified, `${channel}: one resolved message per alert`);

    // make alert-test through the same channels: it finds Alertmanager by its label and presents
    // the admin credentials Alertmanager asks for.
    if (live.own) {
      const check = await live.own.script('alert-test', ['--timeout', '60']);
      assert.equal(check.exitCode, 0, explain(check));
      for (const channel of CHANNELS) assert.match(check.stdout, new RegExp(`${channel}\\s+accepted`), `make alert-test: ${channel}`);
    }
  } finally {
    live.compose(['start', 'memory-api']);
    if (swapped) setPrometheusRules(false);
    live.compose(['rm', '--stop', '--force', 'alert-sinks'], [sinksFile]);
    live.compose(['up', '-d', '--no-deps', '--wait', '--wait-timeout', '90', 'alertmanager']);
  }
});
