// The 05 report's Monitoring section: what it asks Prometheus, and how it shows the answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../scripts/lib/monitoring/prometheus.ts';
import { describeLogStore, gatherMonitoring, renderMonitoring } from '../../scripts/lib/report/monitoring.ts';

const s = (labels: Record<string, string>, value: number): Sample => ({ labels, value });

/** A Prometheus that answers from a table of expressions (any other: no samples). */
const fake =
  (answers: Record<string, Sample[]>) =>
  async (expr: string): Promise<Sample[]> =>
    answers[expr] ?? [];

test('the facts come from the alerts, the recorded availability and each service peak against its limit', async () => {
  const facts = await gatherMonitoring(
    fake({
      'ALERTS{alertstate="firing"}': [s({ alertname: 'TargetDown', severity: 'critical', service: 'api' }, 1)],
      'galaxy:probe_availability:ratio_1h': [s({}, 0.99)],
      'galaxy:probe_availability:ratio_24h': [s({}, 0.9995)],
      'service:probe_availability:ratio_24h': [s({ service: 'api' }, 0.999)],
      'max by (service) (max_over_time(galaxy_container_memory_bytes[24h]))': [s({ service: 'api' }, 62914560), s({ service: 'db' }, 10485760)],
      'max by (service) (galaxy_container_memory_limit_bytes)': [s({ service: 'api' }, 100663296)],
      'max by (service) (max_over_time(rate(galaxy_container_cpu_seconds_total[1m])[24h:1m]))': [s({ service: 'api' }, 0.125)],
      'max by (service) (galaxy_container_cpu_limit_cores)': [s({ service: 'api' }, 0.5)],
    }),
  );
  assert.ok(facts && !('missing' in facts));
  assert.deepEqual(facts.firing, [{ alertname: 'TargetDown', severity: 'critical', service: 'api' }]);
  assert.deepEqual(Object.keys(facts.availability), ['1h', '24h'], 'no 30 d figure without its recording');
  assert.ok(Math.abs(facts.availability['24h'] - 99.95) < 1e-9);
  const lines = renderMonitoring(facts, 'json-file');
  const text = lines.join('\n');
  assert.match(text, /^Alerts firing now: TargetDown \(critical, api\)\.$/m);
  assert.match(text, /1h 99\.000 %, 24h 99\.950 %/);
  assert.ok(lines.includes('| api | 99.900 % | 60.0 MiB (63 % of 96.0 MiB) | 0.125 cores (25 % of 0.5 cores) |'), text);
  assert.ok(lines.includes('| db | - | 10.0 MiB | - |'), 'no limit, no share');
  assert.match(text, /^Logs: json-file$/m);
});

test('without Prometheus the section says it was not measured, never an empty pass', async () => {
  assert.deepEqual(await gatherMonitoring(undefined), { missing: 'the compose files publish no service labelled galaxy.role: prometheus' });
  const refused = await gatherMonitoring(async () => {
    throw new Error('Prometheus answered 401 to up');
  });
  assert.deepEqual(refused, { missing: 'Prometheus did not answer (Prometheus answered 401 to up); is the monitoring profile running?' });
  assert.match(renderMonitoring(refused, 'x').join('\n'), /^Not measured: Prometheus did not answer \(Prometheus answered 401 to up\)/m);
  const quiet = renderMonitoring({ firing: [], availability: {}, serviceAvailability: {}, peaks: [] }, 'x').join('\n');
  assert.match(quiet, /Alerts firing now: none\./);
  assert.match(quiet, /Availability: no probe recorded yet\./);
});

test("the log store's line: where, how big, since when, and its retention", () => {
  const retention = { maxAgeDays: 14, maxSizeMb: 1024 };
  assert.equal(
    describeLogStore('.run/logs-galaxy', { bytes: 3 * 1048576, files: 5, oldest: Date.parse('2026-12-02T07:00:00Z') }, retention),
    'one store for every container at .run/logs-galaxy/: 3.0 MiB in 5 hourly files since 2026-12-02T07:00Z; kept across restarts, deploys and --remove-data; retention 14 days or 1024 MB, whichever is reached first (docs/LOGS.md).',
  );
  assert.match(
    describeLogStore('.run/logs-galaxy', { bytes: 0, files: 0 }, retention),
    /^one store for every container at \.run\/logs-galaxy\/, empty: no line received yet/,
  );
});
