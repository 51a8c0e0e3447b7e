// make alert-test's decisions (scripts/lib/alerts/alertmanager.ts): which service receives the
// alerts (by label), which channels the running config sends critical alerts to, and whether
// each accepted the test alert, from Alertmanager's own notification counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertmanagerUrl, criticalChannels, notificationCounts, verdicts } from '../../scripts/lib/alerts/alertmanager.ts';
import type { ComposeModel, ServiceModel } from '../../scripts/lib/compose.ts';

const svc = (name: string, labels: Record<string, string>, ports: ServiceModel['ports'] = []): ServiceModel => ({
  name,
  ports,
  labels,
  dependsOn: [],
  hasHealthcheck: true,
  build: false,
  profiles: [],
});

test('the alert receiver is the service labelled galaxy.role: alertmanager, at its published address', () => {
  const model: ComposeModel = {
    project: 'shop',
    services: [svc('api', {}), svc('am', { 'galaxy.role': 'alertmanager' }, [{ hostIp: '127.0.0.1', published: 19093, target: 9093 }])],
  };
  assert.deepEqual(alertmanagerUrl(model, { ADMIN_PASSWORD: 'pw' }), { service: 'am', url: 'http://127.0.0.1:19093', headers: {} });
  assert.throws(() => alertmanagerUrl({ project: 'shop', services: [svc('api', {})] }, {}), /no service of shop has the label galaxy.role: alertmanager/);
  assert.throws(() => alertmanagerUrl({ project: 'shop', services: [svc('am', { 'galaxy.role': 'alertmanager' })] }, {}), /am publishes no port/);
  // Labelled as asking for the admin credentials: the kit's calls send them (basic auth, from .env).
  const guarded = svc('am', { 'galaxy.role': 'alertmanager', 'galaxy.admin-auth': 'basic' }, [{ hostIp: '127.0.0.1', published: 19093, target: 9093 }]);
  assert.deepEqual(alertmanagerUrl({ project: 'shop', services: [guarded] }, { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'pw' }).headers, {
    authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}`,
  });
});

test('critical channels come from the receiver of the severity="critical" route', () => {
  const config = `
route:
  receiver: warning
  routes:
    - matchers: ['severity="critical"']
      receiver: critical
receivers:
  - name: critical
    slack_configs: [{ api_url_file: /x }]
    email_configs: [{ to: a@b.org }]
  - name: warning
    webhook_configs: [{ url_file: /y }]
`;
  assert.deepEqual(criticalChannels(config), ['slack', 'email']);
  assert.deepEqual(criticalChannels('route: { receiver: critical }\nreceivers: [{ name: critical }]'), []);
});

test('request counters per integration (summed over receivers) decide accepted, refused, no answer', () => {
  const metrics = (slack: number, slackFailed: number, email: number) => `
# HELP alertmanager_notification_requests_total The total number of attempted notification requests.
alertmanager_notification_requests_total{integration="slack",receiver_name="critical"} ${slack}
alertmanager_notification_requests_total{integration="slack",receiver_name="warning"} 1
alertmanager_notification_requests_failed_total{integration="slack",receiver_name="critical"} ${slackFailed}
alertmanager_notification_requests_total{integration="email"} ${email}
alertmanager_notification_requests_total{integration="telegram"} 0
alertmanager_notifications_total{integration="telegram"} 9
`;
  const before = notificationCounts(metrics(2, 0, 5));
  assert.deepEqual(before.slack, { sent: 3, failed: 0 });
  assert.deepEqual(verdicts(['slack', 'email', 'telegram'], before, notificationCounts(metrics(3, 0, 6))), {
    slack: 'accepted',
    email: 'accepted',
    telegram: 'no answer',
  });
  // Refused: every request since failed (Alertmanager retries, each retry one more failed request).
  assert.deepEqual(verdicts(['slack'], before, notificationCounts(metrics(4, 2, 5))), { slack: 'refused' });
  // A retry that got through after a failure: accepted.
  assert.deepEqual(verdicts(['slack'], before, notificationCounts(metrics(5, 1, 5))), { slack: 'accepted' });
});
