// The stack the live monitoring checks talk to (test/integration/monitoring-live.test.ts): the one
// the GALAXY_TEST_* variables name, or else a throwaway copy (TestStack) started by connect() and
// removed by close(). Its Prometheus and Alertmanager are read with the stack's admin credentials.
import assert from 'node:assert/strict';
import path from 'node:path';
import { samples } from '../../scripts/lib/monitoring/prometheus.ts';
import { type AmAlert, DOWN_ALERTS, adminHeadersOf, composeOn, getJsonWith } from './live-monitoring.ts';
import { root } from './monitoring.ts';
import { TestStack, explain } from '../harness/stack.ts';

export class MonitoringStack {
  prom = process.env.GALAXY_TEST_STACK_URL_PROMETHEUS?.replace(/\/$/, '');
  am = process.env.GALAXY_TEST_STACK_URL_ALERTMANAGER?.replace(/\/$/, '');
  project = process.env.GALAXY_TEST_PROJECT;
  envFile = process.env.GALAXY_TEST_ENV_FILE ?? path.join(root, '.env');
  readonly composeFiles = (process.env.GALAXY_TEST_COMPOSE_FILES ?? 'docker-compose.yml')
    .split(':')
    .filter(Boolean)
    .map((f) => path.resolve(root, f));
  /** The copy this process started, when no variable named a stack. */
  own: TestStack | undefined;

  async connect(): Promise<void> {
    if (this.prom) return;
    this.own = await new TestStack().init();
    const started = await this.own.script('start-all');
    assert.equal(started.exitCode, 0, explain(started));
    this.prom = this.own.url('PROMETHEUS_PORT', '');
    this.am = this.own.url('ALERTMANAGER_PORT', '');
    this.project = this.own.project;
    this.envFile = this.own.envFile;
  }

  async close(): Promise<void> {
    await this.own?.destroy();
  }

  headers(): Record<string, string> {
    return adminHeadersOf(this.envFile);
  }

  getJson<T>(url: string): Promise<T> {
    return getJsonWith<T>(url, this.headers());
  }

  /** An instant query of the stack's Prometheus: its samples. */
  async query(expr: string) {
    return samples(await this.getJson(`${this.prom}/api/v1/query?query=${encodeURIComponent(expr)}`));
  }

  /** docker compose on the stack's files, with `extra` fixture files layered on top. */
  compose(args: string[], extra: string[] = []) {
    return composeOn({ project: this.project!, envFile: this.envFile, files: this.composeFiles }, args, extra);
  }

  /** The "service down" alerts of a service in Alertmanager, silenced and inhibited ones included. */
  async downAlerts(service: string): Promise<AmAlert[]> {
    const q = new URLSearchParams({ filter: `service="${service}"`, active: 'true', silenced: 'true', inhibited: 'true' });
    const all = await this.getJson<AmAlert[]>(`${this.am}/api/v2/alerts?${q}`);
    return all.filter((a) => DOWN_ALERTS.includes(a.labels.alertname));
  }

  /** Whether the running Prometheus has the fast rules (test/fixtures/compose.monitoring-fast.yml). */
  async fastRulesActive(): Promise<boolean> {
    type Rules = { data: { groups: { name: string; rules: { name: string; duration: number }[] }[] } };
    const { data } = await this.getJson<Rules>(`${this.prom}/api/v1/rules?type=alert`);
    const rule = data.groups.flatMap((g) => g.rules).find((r) => r.name === 'TargetDown');
    assert.ok(rule, 'TargetDown is not loaded in the running Prometheus');
    return rule.duration <= 5;
  }
}
