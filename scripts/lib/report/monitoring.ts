// The report's "Monitoring" section (issue 16): the alerts firing now, availability over the SLO's
// windows, each service's resource peaks against its limits over the last 24 h, and where logs are
// kept. Read from the stack's Prometheus (monitoring/prometheus.ts); rendering is pure and
// unit-tested (test/unit/report-monitoring.test.ts).
import type { LogRetention } from '../logs/settings.ts';
import type { StoreSize } from '../logs/store.ts';
import type { Query, Sample } from '../monitoring/prometheus.ts';

export interface FiringAlert {
  alertname: string;
  severity: string;
  service: string;
}

export interface ResourcePeak {
  service: string;
  memoryPeakBytes?: number;
  memoryLimitBytes?: number;
  cpuPeakCores?: number;
  cpuLimitCores?: number;
}

export interface MonitoringFacts {
  firing: FiringAlert[];
  /** The whole system's availability in percent per window (1h, 24h, 30d); a window without data is left out. */
  availability: Record<string, number>;
  /** Per service, 24 h availability in percent. */
  serviceAvailability: Record<string, number>;
  peaks: ResourcePeak[];
}

const WINDOWS = ['1h', '24h', '30d'] as const;

function byService(rows: Sample[]): Map<string, number> {
  return new Map(rows.filter((r) => r.labels.service).map((r) => [r.labels.service, r.value]));
}

/** Everything the section shows, in parallel queries; or why it could not be read. */
export async function gatherMonitoring(query: Query | undefined): Promise<MonitoringFacts | { missing: string }> {
  if (!query) return { missing: 'the compose files publish no service labelled galaxy.role: prometheus' };
  try {
    const [firing, windows, services, memory, memoryLimit, cpu, cpuLimit] = await Promise.all([
      query('ALERTS{alertstate="firing"}'),
      Promise.all(WINDOWS.map((w) => query(`galaxy:probe_availability:ratio_${w}`))),
      query('service:probe_availability:ratio_24h'),
      query('max by (service) (max_over_time(galaxy_container_memory_bytes[24h]))'),
      query('max by (service) (galaxy_container_memory_limit_bytes)'),
      // A 1-minute rate sampled every minute of the day: the busiest minute, not a 5 s spike.
      query('max by (service) (max_over_time(rate(galaxy_container_cpu_seconds_total[1m])[24h:1m]))'),
      query('max by (service) (galaxy_container_cpu_limit_cores)'),
    ]);
    const [mem, memLimit, cpuPeak, cpuMax] = [byService(memory), byService(memoryLimit), byService(cpu), byService(cpuLimit)];
    const names = [...new Set([...mem.keys(), ...cpuPeak.keys()])].sort();
    return {
      firing: firing
        .map((a) => ({ alertname: a.labels.alertname ?? '', severity: a.labels.severity ?? '', service: a.labels.service ?? '' }))
        .sort((a, b) => `${a.severity}${a.alertname}${a.service}`.localeCompare(`${b.severity}${b.alertname}${b.service}`)),
      availability: Object.fromEntries(WINDOWS.flatMap((w, i) => (windows[i][0] ? [[w, 100 * windows[i][0].value]] : []))),
      serviceAvailability: Object.fromEntries([...byService(services)].map(([s, v]) => [s, 100 * v])),
      peaks: names.map((service) => ({
        service,
        memoryPeakBytes: mem.get(service),
        memoryLimitBytes: memLimit.get(service),
        cpuPeakCores: cpuPeak.get(service),
        cpuLimitCores: cpuMax.get(service),
      })),
    };
  } catch (err) {
    return { missing: `Prometheus did not answer (${(err as Error).message}); is the monitoring profile running?` };
  }
}

/** The report's "Logs:" sentence: where the store is, how big and how old, and its retention (pure). */
export function describeLogStore(dir: string, size: StoreSize, retention: LogRetention): string {
  const kept = `kept across restarts, deploys and --remove-data; retention ${retention.maxAgeDays} days or ${retention.maxSizeMb} MB, whichever is reached first (docs/LOGS.md)`;
  if (size.files === 0 || size.oldest === undefined)
    return `one store for every container at ${dir}/, empty: no line received yet (is the stack started with make start?); ${kept}.`;
  const since = new Date(size.oldest).toISOString().slice(0, 13);
  return `one store for every container at ${dir}/: ${mib(size.bytes)} in ${size.files} hourly file${size.files === 1 ? '' : 's'} since ${since}:00Z; ${kept}.`;
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(1)} MiB`);
/** " (61 % of 96.0 MiB)": a peak against its limit; nothing when there is no limit. */
const share = (part: number | undefined, whole: number | undefined, shown: string) =>
  part === undefined || !whole ? '' : ` (${Math.round((100 * part) / whole)} % of ${shown})`;

/** The section's lines (pure). `logStore` says where logs are kept and how much they take. */
export function renderMonitoring(facts: MonitoringFacts | { missing: string }, logStore: string): string[] {
  const out = ['## Monitoring', ''];
  if ('missing' in facts) return [...out, `Not measured: ${facts.missing}.`, '', `Logs: ${logStore}`, ''];
  out.push(
    facts.firing.length
      ? `Alerts firing now: ${facts.firing.map((a) => `${a.alertname} (${a.severity}${a.service ? `, ${a.service}` : ''})`).join('; ')}.`
      : 'Alerts firing now: none.',
    '',
  );
  const windows = Object.entries(facts.availability);
  out.push(
    windows.length
      ? `Availability of every public endpoint together (blackbox probes every 5 s; objective 99.9 % over 30 days): ${windows.map(([w, v]) => `${w} ${v.toFixed(3)} %`).join(', ')}. A window longer than the stack's life covers its life.`
      : 'Availability: no probe recorded yet.',
    '',
  );
  if (facts.peaks.length) {
    out.push(
      '| service | availability 24 h | memory peak, 24 h | CPU peak (busiest minute), 24 h |',
      '| --- | --- | --- | --- |',
      ...facts.peaks.map((p) => {
        const available = facts.serviceAvailability[p.service];
        const cpu =
          p.cpuPeakCores === undefined ? '-' : `${p.cpuPeakCores.toFixed(3)} cores${share(p.cpuPeakCores, p.cpuLimitCores, `${p.cpuLimitCores} cores`)}`;
        return `| ${p.service} | ${available === undefined ? '-' : `${available.toFixed(3)} %`} | ${mib(p.memoryPeakBytes)}${share(p.memoryPeakBytes, p.memoryLimitBytes, mib(p.memoryLimitBytes))} | ${cpu} |`;
      }),
      '',
    );
  }
  out.push(`Logs: ${logStore}`, '');
  return out;
}
