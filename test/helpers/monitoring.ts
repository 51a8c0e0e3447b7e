// Shared by the monitoring tests: where the config lives, which metric names the stack
// exposes, and which metric names a PromQL expression uses.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const monitoringDir = path.join(root, 'monitoring');
export const rulesDir = path.join(monitoringDir, 'prometheus', 'rules');
export const ruleTestsDir = path.join(monitoringDir, 'prometheus', 'tests');
export const dashboardsDir = path.join(monitoringDir, 'grafana', 'dashboards');
export const fastRulesFile = path.join(root, 'test', 'fixtures', 'monitoring', 'rules-fast.yml');

export const listYaml = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(dir, f));

export interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function allRules(file: string): Array<Partial<Rule> & { record?: string; expr: string }> {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { groups: { rules: Array<Partial<Rule> & { record?: string; expr: string }> }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** Every alerting rule of a rules file, in file order. */
export function readRules(file: string): Rule[] {
  return allRules(file).filter((r): r is Rule => typeof r.alert === 'string');
}

/** The names a rules file's recording rules write (service:probe_errors:ratio_5m...). */
export function recordedNames(file: string): string[] {
  return allRules(file).flatMap((r) => (r.record ? [r.record] : []));
}

/** How many rules (alerting and recording) a rules file has: what `promtool check rules` counts. */
export function ruleCountOf(file: string): number {
  return allRules(file).length;
}

/**
 * Metric names listed under "## Metric names" in docs/DEVELOPING.md: the first backticked
 * token of each bullet (and of each `a|_sum|_count` alternation), label sets dropped.
 */
export function parseDevelopingMetrics(markdown: string): Set<string> {
  const start = markdown.indexOf('## Metric names');
  if (start < 0) throw new Error('docs/DEVELOPING.md has no "## Metric names" section');
  const rest = markdown.slice(start + 3);
  const end = rest.indexOf('\n## ');
  const section = end < 0 ? rest : rest.slice(0, end);
  const names = new Set<string>();
  for (const [, code] of section.matchAll(/`([^`]+)`/g)) {
    const head = code.split('{')[0].trim();
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:|]*$/.test(head)) continue;
    const [first, ...suffixes] = head.split('|');
    names.add(first);
    if (suffixes.length > 0) {
      // http_request_duration_seconds_bucket|_sum|_count: the suffixes replace the first one's.
      const base = first.replace(/_[a-z]+$/, '');
      for (const s of suffixes) names.add(s.startsWith('_') ? base + s : s);
    }
  }
  return names;
}

export interface ExposedMetric {
  name: string;
  source: string;
  when: 'always' | 'traffic';
}

/** monitoring/exposed-metrics.txt: `<name> <source> <when>`, `name*` = histogram family. */
export function parseExposedMetrics(text: string): ExposedMetric[] {
  const out: ExposedMetric[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, source, when, ...extra] = line.split(/\s+/);
    if (!name || !source || (when !== 'always' && when !== 'traffic') || extra.length > 0) {
      throw new Error(`exposed-metrics.txt line ${i + 1}: expected "<name> <source> always|traffic", got "${raw}"`);
    }
    const names = name.endsWith('*') ? ['_bucket', '_sum', '_count'].map((s) => name.slice(0, -1) + s) : [name];
    for (const n of names) out.push({ name: n, source, when });
  }
  return out;
}

/** Union of DEVELOPING.md's contract and exposed-metrics.txt. */
export function knownMetricNames(): Set<string> {
  const names = parseDevelopingMetrics(fs.readFileSync(path.join(root, 'docs', 'DEVELOPING.md'), 'utf8'));
  for (const m of parseExposedMetrics(fs.readFileSync(path.join(monitoringDir, 'exposed-metrics.txt'), 'utf8'))) names.add(m.name);
  // What the recording rules write is Prometheus's own series, usable by alerts and dashboards.
  for (const file of listYaml(rulesDir)) for (const name of recordedNames(file)) names.add(name);
  return names;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan', 'atan2']);

/**
 * Metric names used by a PromQL expression (Grafana variables allowed). Not a full parser:
 * it removes what cannot be a metric name (strings, label matchers, grouping label lists,
 * ranges, variables, numbers) and keeps identifiers not followed by "(".
 */
export function promqlMetricNames(expr: string): Set<string> {
  let e = expr;
  e = e.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  e = e.replace(/\$\{[^}]*\}|\$[a-zA-Z_][a-zA-Z0-9_]*/g, ' ');
  e = e.replace(/\{[^}]*\}/g, ' ');
  e = e.replace(/\[[^\]]*\]/g, ' ');
  e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  e = e.replace(/\boffset\s+-?[0-9a-z]+/g, ' ');
  // Numbers, including 1e3, 0x1f and durations: not names.
  e = e.replace(/(^|[^a-zA-Z0-9_:])[0-9][0-9a-zA-Z.]*/g, '$1 ');
  const names = new Set<string>();
  for (const m of e.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = e.slice(m.index! + m[0].length);
    if (/^\s*\(/.test(after)) continue; // function call
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return names;
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

/** Every PromQL query of a Grafana dashboard: panel targets (rows included) and variables. */
export function dashboardQueries(file: string): DashboardQuery[] {
  const d = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    title: string;
    panels?: Panel[];
    templating?: { list?: { name: string; type: string; query?: string | { query?: string } }[] };
  };
  interface Panel {
    title?: string;
    targets?: { expr?: string }[];
    panels?: Panel[];
  }
  const out: DashboardQuery[] = [];
  const walk = (panels: Panel[] = []): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        if (typeof t.expr === 'string') out.push({ dashboard: d.title, panel: p.title ?? '?', expr: t.expr });
      }
      walk(p.panels);
    }
  };
  walk(d.panels);
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    // Grafana's label_values(<selector>, <label>): only the selector names a metric.
    const m = /^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/.exec(q);
    out.push({ dashboard: d.title, panel: `variable ${v.name}`, expr: m ? m[1] : q });
  }
  return out;
}
