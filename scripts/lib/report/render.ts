// Renders docs/reports/05_SYSTEM_READY_REPORT.md from gathered facts (pure; scripts/report.ts
// gathers them from the live stack and the newest bench results).
import type { MetricRow } from './metrics.ts';
import { summarizeVerdicts } from './metrics.ts';

export interface ServiceLine {
  service: string;
  url?: string;
  state: string;
  health: string;
  latencyMs?: number;
  httpStatus?: number;
  ok: boolean;
}

export interface EndpointLine {
  name: string;
  url: string;
  status: string;
}

export interface CommandLine {
  command: string;
  description: string;
}

export interface ReportFacts {
  generatedAt: string;
  project: string;
  mode: string;
  imageMode: string;
  services: ServiceLine[];
  monitoring: EndpointLine[];
  metrics: MetricRow[];
  commands: CommandLine[];
  /** Bench figures behind the table, one line each (name, value, file). */
  benchLines: string[];
  availabilityNote: string;
  /** The Backups section, rendered by report/backups.ts from the newest set's manifest. */
  backups?: string[];
  /** The Security audit section, rendered by report/audit.ts from `make audit`'s findings. */
  audit?: string[];
  /** The Monitoring section (alerts, availability windows, resource peaks, logs), report/monitoring.ts. */
  monitoringSection?: string[];
}

function cell(text: string | undefined): string {
  return (text ?? '-').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const mark = (verdict: string) => (verdict === 'PASS' ? '✅ PASS' : verdict === 'FAIL' ? '❌ FAIL' : '⚪ NOT MEASURED');

export function renderReport(f: ReportFacts): string {
  const healthy = f.services.filter((s) => s.ok).length;
  const counts = summarizeVerdicts(f.metrics);
  const out: string[] = [
    '# 05 — System ready report',
    '',
    `Generated ${f.generatedAt} by \`make report\` (scripts/report.sh) from the live stack \`${f.project}\` ` +
      `(${f.mode} mode, ${f.imageMode} images). Every figure below was measured by a command; nothing is typed by hand. ` +
      'Regenerate with `make report`.',
    '',
    `**Services: ${healthy} of ${f.services.length} healthy. Success metrics: ${counts.PASS} pass, ${counts.FAIL} fail, ${counts['NOT MEASURED']} not measured.**`,
    '',
    '## Services',
    '',
    '| service | URL | state | health | health probe |',
    '| --- | --- | --- | --- | --- |',
    ...f.services.map(
      (s) =>
        `| ${s.service} | ${cell(s.url)} | ${s.state} | ${s.ok ? '✅' : '❌'} ${s.health} | ${s.latencyMs === undefined ? '-' : `${s.latencyMs} ms${s.httpStatus ? ` (HTTP ${s.httpStatus})` : ' (no answer)'}`} |`,
    ),
    '',
    '## Monitoring endpoints',
    '',
  ];
  if (f.monitoring.length) {
    out.push('| endpoint | URL | measured |', '| --- | --- | --- |', ...f.monitoring.map((m) => `| ${m.name} | ${m.url} | ${cell(m.status)} |`));
  } else {
    out.push('No monitoring service publishes a port in this stack (the `monitoring` profile is not running).');
  }
  out.push(
    '',
    '## Success metrics',
    '',
    'A metric is judged only on a measured figure; without one it is NOT MEASURED, never a pass.',
    '',
    '| metric | goal | measured | verdict | where it comes from |',
    '| --- | --- | --- | --- | --- |',
    ...f.metrics.map((m) => `| ${m.metric} | ${m.goal} | ${cell(m.measured)} | ${mark(m.verdict)} | ${cell(m.source)} |`),
    '',
    f.availabilityNote,
    '',
  );
  if (f.benchLines.length) out.push('### Benchmark figures used', '', ...f.benchLines.map((l) => `- ${l}`), '');
  if (f.monitoringSection) out.push(...f.monitoringSection);
  if (f.backups) out.push(...f.backups);
  if (f.audit) out.push(...f.audit);
  out.push(
    '## Operation commands',
    '',
    'From the Makefile (`make help`); each target has a shell entry in `scripts/` for cron and CI. Exit codes: 0 success, 1 the operation failed, 2 bad usage.',
    '',
    '| command | what |',
    '| --- | --- |',
    ...f.commands.map((c) => `| \`${c.command}\` | ${cell(c.description)} |`),
    '',
  );
  return out.join('\n');
}

/** Parses `target: ## description` lines of a Makefile into commands (the same lines `make help` prints). */
export function makeTargets(makefile: string): CommandLine[] {
  const lines: CommandLine[] = [];
  for (const line of makefile.split('\n')) {
    const match = /^([a-zA-Z_-]+):[^#]*##\s*(.+)$/.exec(line);
    if (match) lines.push({ command: `make ${match[1]}`, description: match[2].trim() });
  }
  return lines;
}
