// What `make audit` reports (pure): findings with a severity, the exit code they give, and the
// counts the table and the 05 report show.

/**
 * high: a way in or out today (exit 1: the default stack from `make start` has none); medium: a real
 * weakness of the default stack that the least-privilege work removes; low: seen and accepted.
 */
export type Severity = 'high' | 'medium' | 'low';

export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

/** The checks, in the order the table lists them. */
export const CHECKS = [
  'published-port',
  'privileged',
  'docker-socket',
  'capabilities',
  'root-user',
  'cap-drop',
  'no-new-privileges',
  'writable-rootfs',
  'secret-in-env',
  'backup-encryption',
  'backup-age',
] as const;

export type Check = (typeof CHECKS)[number];

export interface Finding {
  severity: Severity;
  check: Check;
  /** The compose service, or `backups` for the backup checks. */
  service: string;
  /** The container (empty for the backup checks). */
  container: string;
  /** What is wrong, in a few words; never a secret's value. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** 1 on any high finding, else 0: the default stack passes with its medium and low ones listed. */
export function auditExitCode(findings: Finding[]): 0 | 1 {
  return findings.some((f) => f.severity === 'high') ? 1 : 0;
}

/** Most severe first, then in check order, then by service. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity) * 100 + CHECKS.indexOf(f.check);
  return [...findings].sort((a, b) => rank(a) - rank(b) || a.service.localeCompare(b.service) || a.container.localeCompare(b.container));
}

export interface SummaryLine {
  severity: Severity;
  check: Check;
  problem: string;
  services: string[];
}

/**
 * One line per severity, check and problem with the services it concerns (the 05 report's summary):
 * eleven containers running as root are one line, not eleven.
 */
export function summarize(findings: Finding[]): SummaryLine[] {
  const lines = new Map<string, SummaryLine>();
  for (const f of sortFindings(findings)) {
    const key = `${f.severity}\u0000${f.check}\u0000${f.problem}`;
    const line = lines.get(key) ?? { severity: f.severity, check: f.check, problem: f.problem, services: [] };
    if (!line.services.includes(f.service)) line.services.push(f.service);
    lines.set(key, line);
  }
  return [...lines.values()];
}
