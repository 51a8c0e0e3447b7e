// `make alert-test` / scripts/alert-test.sh [--timeout SECONDS]: sends one critical test alert to
// Alertmanager and reports, per channel its config sends critical alerts to (ALERT_* in .env),
// whether the channel accepted it, read from Alertmanager's own request counters. Then it
// resolves the alert (each channel also gets the resolved message). Exit 1 when a channel
// refused it or did not answer in time, or when no channel is configured.
import { type NotificationCounts, alertmanagerUrl, criticalChannels, notificationCounts, verdicts } from './lib/alerts/alertmanager.ts';
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel } from './lib/compose.ts';
import { OperationError, UsageError } from './lib/errors.ts';
import { green, info, red, table } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

const alertTestCommand = {
  name: 'alert-test.sh',
  summary:
    'Send a test alert through every channel Alertmanager is configured with (ALERT_* in .env) and say which accepted it. Exit 1 when one refused it or did not answer, or when none is configured.',
  options: {
    timeout: { type: 'string', value: 'SECONDS', default: '60', help: 'how long every channel has to answer' },
  },
  examples: ['make alert-test', './scripts/alert-test.sh --timeout 120'],
} as const;

async function call(url: string, what: string, service: string, init: RequestInit & { headers: Record<string, string> }): Promise<Response> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
    throw new OperationError(`${service} does not answer at ${url} (${err.message}): start the stack with make start, which runs the monitoring profile`);
  });
  if (response.status === 401)
    throw new OperationError(`${service} refused the admin credentials: ADMIN_USER and ADMIN_PASSWORD in .env changed since the last start; run make start`);
  if (!response.ok) throw new OperationError(`${service} answered ${response.status} to ${what}: make logs service=${service} shows why`);
  return response;
}

await defineCommand(alertTestCommand, {
  run: async ({ values }) => {
    if (!/^[0-9]{1,3}$/.test(values.timeout) || Number(values.timeout) < 1 || Number(values.timeout) > 600)
      throw new UsageError(`--timeout must be a whole number of seconds from 1 to 600, not '${values.timeout}'`);
    const seconds = Number(values.timeout);
    const { ctx, values: env } = await currentStack();
    const { service, url, headers } = alertmanagerUrl(await loadComposeModel(ctx), env);
    const status = (await (await call(`${url}/api/v2/status`, 'its status', service, { headers })).json()) as { config: { original: string } };
    const channels = criticalChannels(status.config.original);
    if (!channels.length)
      throw new OperationError(
        `no alert channel is configured: set ALERT_WEBHOOK_URL, ALERT_SLACK_WEBHOOK_URL, ALERT_TELEGRAM_BOT_TOKEN with ALERT_TELEGRAM_CHAT_ID, or ALERT_EMAIL_TO with ALERT_EMAIL_FROM and ALERT_SMTP_SMARTHOST in .env, then make restart service=${service}`,
      );
    const counts = async (): Promise<Record<string, NotificationCounts>> =>
      notificationCounts(await (await call(`${url}/metrics`, 'its metrics', service, { headers })).text());
    const before = await counts();

    // A label of its own makes it a group of its own: sent after the critical route's group_wait.
    const id = new Date().toISOString();
    const alert = (endsAt: Date) => [
      {
        labels: { alertname: 'GalaxyAlertTest', severity: 'critical', service: 'alert-test', sent_at: id },
        annotations: { summary: `Test alert sent by make alert-test at ${id}: no action needed`, runbook: 'docs/TROUBLESHOOTING.md#make-alert-test' },
        startsAt: id,
        endsAt: endsAt.toISOString(),
      },
    ];
    const post = (endsAt: Date) =>
      call(`${url}/api/v2/alerts`, 'the test alert', service, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(alert(endsAt)),
      });
    await post(new Date(Date.now() + 10 * 60_000));
    info(`alert-test: sent GalaxyAlertTest to ${service} (${url}); waiting up to ${seconds} s for ${channels.join(', ')}`);

    let result = verdicts(channels, before, before);
    const deadline = Date.now() + seconds * 1000;
    const settled = () => !Object.values(result).includes('no answer');
    while (Date.now() < deadline && !settled()) {
      await new Promise((r) => setTimeout(r, 1000));
      result = verdicts(channels, before, await counts());
    }
    // Read once more a second later: a request's total and failed counters are two steps apart.
    if (settled()) {
      await new Promise((r) => setTimeout(r, 1000));
      result = verdicts(channels, before, await counts());
    }
    // Resolved now: every channel that accepted it also gets the "resolved" message.
    await post(new Date());
    info(table([['CHANNEL', 'RESULT'], ...channels.map((c) => [c, result[c] === 'accepted' ? green(result[c]) : red(result[c])])]));
    const failed = channels.filter((c) => result[c] !== 'accepted');
    if (failed.length)
      throw new OperationError(
        `${failed.map((c) => `${c} ${result[c] === 'refused' ? 'refused the test alert' : `did not answer within ${seconds} s`}`).join('; ')}: make logs service=${service} shows why`,
      );
    info(green(`alert-test: every channel accepted the test alert (${channels.join(', ')}); a resolved message follows`));
    return 0;
  },
});
