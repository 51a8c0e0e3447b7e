// Shared by the live monitoring tests (test/integration/monitoring-live.test.ts): reading a running
// Prometheus and Alertmanager with the stack's admin credentials, bounded waits, compose on the
// stack's files, and which alert messages belong to a "service down" flow.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_AUTH_LABEL, adminAuthHeaders } from '../../scripts/lib/admin-auth.ts';
import { readEnvText } from '../../scripts/lib/env.ts';
import { savedStack } from '../harness/stack.ts';
import { CHANNELS, alertNamesByChannel, type receivedNotices } from './alert-sinks.ts';
import { knownMetricNames, monitoringDir, parseExposedMetrics, root } from './monitoring.ts';

/** Names from the DEVELOPING.md contract that every running stack has without any traffic. */
const CONTRACT_ALWAYS = [
  'galaxy_service_info',
  'process_start_time_seconds',
  'galaxy_dependency_up',
  'galaxy_container_health',
  'galaxy_container_running',
  'galaxy_container_restart_count',
];

/** The admin credentials of a stack's .env (Prometheus and Alertmanager ask for them on every path). */
export function adminHeadersOf(envFile: string): Record<string, string> {
  const { values } = readEnvText(fs.readFileSync(envFile, 'utf8'));
  return adminAuthHeaders({ labels: { [ADMIN_AUTH_LABEL]: 'basic' } }, values);
}

export async function getJsonWith<T>(url: string, headers: Record<string, string>): Promise<T> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  return (await res.json()) as T;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a value, at most `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, everyMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

/** The live check: which expected metric names the running Prometheus does not have. */
export async function missingLiveMetrics(promUrl: string, headers: Record<string, string>): Promise<{ missing: string[]; notYetSeen: string[] }> {
  const live = new Set((await getJsonWith<{ data: string[] }>(`${promUrl}/api/v1/label/__name__/values`, headers)).data);
  const exposed = parseExposedMetrics(fs.readFileSync(path.join(monitoringDir, 'exposed-metrics.txt'), 'utf8'));
  const required = [...exposed.filter((m) => m.when === 'always').map((m) => m.name), ...CONTRACT_ALWAYS];
  const optional = [...knownMetricNames()].filter((n) => !required.includes(n));
  return { missing: required.filter((n) => !live.has(n)), notYetSeen: optional.filter((n) => !live.has(n)) };
}

/** docker compose on a stack's files (monitoring profile), with `extra` fixture files layered on top. */
export function composeOn(
  stack: { project: string; envFile: string; files: string[] },
  args: string[],
  extra: string[] = [],
): { code: number; out: string; stdout: string } {
  const files = [...stack.files, ...extra].flatMap((f) => ['-f', f]);
  const r = spawnSync(
    'docker',
    ['compose', '-p', stack.project, '--project-directory', root, '--env-file', stack.envFile, ...files, '--profile', 'monitoring', ...args],
    { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...savedStack(stack.project).env } },
  );
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

export type AmAlert = { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
/** The alerts a stopped service raises. */
export const DOWN_ALERTS = ['TargetDown', 'ContainerNotRunning', 'ServiceUnhealthy'];

/**
 * The "memory-api is down" messages per channel. The availability SLO's ErrorBudgetBurnFast fires
 * for the same outage and, rightly, stays until the 5-minute window has emptied after the
 * recovery; it is the SLO rules' test (monitoring/prometheus/tests/slo.test.yml), not this flow's.
 */
export function downAlertNames(notices: Awaited<ReturnType<typeof receivedNotices>>, status: 'firing' | 'resolved') {
  const names = alertNamesByChannel(notices, 'memory-api', status);
  for (const channel of CHANNELS) names[channel] = names[channel].filter((name) => DOWN_ALERTS.includes(name));
  return names;
}
