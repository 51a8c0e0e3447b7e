// Alertmanager as `make alert-test` sees it: which service it is (the compose label
// `galaxy.role: alertmanager`, so no service name is kept here), which channels its running config
// sends to, and how many notifications each channel has sent and failed (its own metrics).
// The parsing is pure and unit-tested (test/unit/alert-test.test.ts).
import YAML from 'yaml';
import { adminAuthHeaders } from '../admin-auth.ts';
import { type ComposeModel, ROLE_LABEL, publishedUrl, serviceWithRole } from '../compose.ts';
import { OperationError } from '../errors.ts';

export const ALERTMANAGER_ROLE = 'alertmanager';

/** The published address of the service labelled as the alert receiver, and the credentials it asks for. */
export function alertmanagerUrl(model: ComposeModel, values: Record<string, string>): { service: string; url: string; headers: Record<string, string> } {
  const svc = serviceWithRole(model, ALERTMANAGER_ROLE);
  if (!svc)
    throw new OperationError(`no service of ${model.project} has the label ${ROLE_LABEL}: ${ALERTMANAGER_ROLE}: the compose files name no Alertmanager`);
  const port = svc.ports[0];
  if (!port) throw new OperationError(`${svc.name} publishes no port: publish its API on 127.0.0.1 to test its channels`);
  return { service: svc.name, url: publishedUrl(port), headers: adminAuthHeaders(svc, values) };
}

/** The integrations of the receiver that critical alerts go to, read from the running config. */
export function criticalChannels(configYaml: string): string[] {
  type Route = { receiver?: string; matchers?: string[]; routes?: Route[] };
  const config = YAML.parse(configYaml) as { route?: Route; receivers?: Array<Record<string, unknown> & { name: string }> };
  const critical = config.route?.routes?.find((r) => (r.matchers ?? []).some((m) => /severity\s*=\s*"?critical"?/.test(m)));
  const name = critical?.receiver ?? config.route?.receiver;
  const receiver = (config.receivers ?? []).find((r) => r.name === name);
  if (!receiver) return [];
  // Each `<name>_configs` list is one integration, named <name> in Alertmanager's metrics.
  return Object.keys(receiver)
    .filter((key) => key.endsWith('_configs') && Array.isArray(receiver[key]) && (receiver[key] as unknown[]).length > 0)
    .map((key) => key.slice(0, -'_configs'.length));
}

export interface NotificationCounts {
  sent: number;
  failed: number;
}

/**
 * alertmanager_notification_requests_total and _failed_total per integration, from /metrics text:
 * one count per request to the channel, after its answer (the notifications_total counter counts
 * before the answer, so it cannot tell an accepted message from a refused one).
 */
export function notificationCounts(metrics: string): Record<string, NotificationCounts> {
  const counts: Record<string, NotificationCounts> = {};
  const line = /^alertmanager_notification_requests_(total|failed_total)\{([^}]*)\}\s+([0-9.eE+-]+)$/;
  for (const text of metrics.split('\n')) {
    const m = line.exec(text.trim());
    if (!m) continue;
    const integration = /(?:^|,)integration="([^"]+)"/.exec(m[2])?.[1];
    if (!integration) continue;
    const entry = (counts[integration] ??= { sent: 0, failed: 0 });
    // Newer versions split counts by receiver too: add them up per integration.
    if (m[1] === 'total') entry.sent += Number(m[3]);
    else entry.failed += Number(m[3]);
  }
  return counts;
}

export type ChannelVerdict = 'accepted' | 'refused' | 'no answer';

/** Per channel since `before`: accepted when a request succeeded, refused when requests failed and none succeeded. */
export function verdicts(
  channels: string[],
  before: Record<string, NotificationCounts>,
  now: Record<string, NotificationCounts>,
): Record<string, ChannelVerdict> {
  return Object.fromEntries(
    channels.map((c) => {
      const failed = (now[c]?.failed ?? 0) - (before[c]?.failed ?? 0);
      const succeeded = (now[c]?.sent ?? 0) - (before[c]?.sent ?? 0) - failed;
      return [c, succeeded > 0 ? 'accepted' : failed > 0 ? 'refused' : 'no answer'];
    }),
  );
}
