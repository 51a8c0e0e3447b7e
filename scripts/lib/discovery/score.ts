// Scores an inventory against a hand-written truth file (test/fixtures/discovery/<case>/truth.json):
// recall and precision for services, ports, dependencies and problems. Pure: the caller scans.
import type { Inventory } from './types.ts';

export interface TruthService {
  name: string;
  /** Other names a person would accept for it (the folder when the package names it otherwise). */
  aka?: string[];
  ports: number[];
}

export interface Truth {
  about?: string;
  services: TruthService[];
  /** Folders that hold stale copies of a service: found when listed as copies, not as services. */
  copies?: string[];
  dependencies: Array<{ from: string; to: string }>;
  /** `file` may list several files when either is a fair place to report it (a conflict's two ends). */
  problems: Array<{ rule: string; file: string | string[] }>;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export type Category = 'services' | 'ports' | 'dependencies' | 'problems';
export const CATEGORIES: Category[] = ['services', 'ports', 'dependencies', 'problems'];

export type Score = Record<Category, Counts> & { misses: string[] };

/**
 * Advice, not defects: every server without a health route, every language read less deeply. The
 * truth files do not list them, so they are left out of the problem score.
 */
export const UNSCORED_RULES = new Set(['no-health-endpoint', 'unsupported-language']);

const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0 });

export function scoreInventory(inv: Inventory, truth: Truth): Score {
  const score: Score = { services: zero(), ports: zero(), dependencies: zero(), problems: zero(), misses: [] };
  // Every accepted name maps to the truth service's own name.
  const canonical = new Map<string, string>();
  for (const t of truth.services) for (const n of [t.name, ...(t.aka ?? [])]) canonical.set(norm(n), norm(t.name));

  // Services: each row is one claim; a second row for the same service is a false positive.
  const rows = inv.services.filter((s) => s.kind !== 'script');
  const matched = new Map<string, typeof rows>();
  for (const s of rows) {
    const name = canonical.get(norm(s.name));
    if (name && !matched.has(name)) matched.set(name, [s]);
    else {
      if (name) matched.get(name)?.push(s);
      score.services.fp++;
      score.misses.push(`service row not in truth: ${s.name} (${s.kind}, ${s.entry})`);
    }
  }
  // A copy named as a copy is found; a copy listed as a service is a wrong row (counted above).
  const copies = new Set((inv.copies ?? []).map((c) => norm(c.dir)));
  for (const dir of truth.copies ?? []) {
    if (copies.has(norm(dir))) score.services.tp++;
    else {
      score.services.fn++;
      score.misses.push(`copy not marked: ${dir}`);
    }
  }
  for (const t of truth.services) {
    const found = matched.get(norm(t.name));
    if (found) score.services.tp++;
    else {
      score.services.fn++;
      score.misses.push(`service missed: ${t.name}`);
    }
    // Ports: what the rows of this service say it listens on, against the truth.
    const ports = new Set((found ?? []).flatMap((s) => s.ports.map((p) => p.port)).filter((p): p is number => p !== null));
    for (const p of t.ports) {
      if (ports.has(p)) score.ports.tp++;
      else {
        score.ports.fn++;
        score.misses.push(`port missed: ${t.name}:${p}`);
      }
    }
    for (const p of ports) {
      if (t.ports.includes(p)) continue;
      score.ports.fp++;
      score.misses.push(`port not in truth: ${t.name}:${p}`);
    }
  }

  // Dependencies: distinct (from, to) edges; `to` may be named by resolved service, name or host.
  const truthEdges = truth.dependencies.map((d) => ({
    from: canonical.get(norm(d.from)) ?? norm(d.from),
    to: canonical.get(norm(d.to)) ?? norm(d.to),
    hit: false,
  }));
  const seen = new Set<string>();
  for (const d of inv.dependencies) {
    const from = canonical.get(norm(d.from)) ?? norm(d.from);
    const tos = [d.resolved, d.name, d.host].map((x) => canonical.get(norm(x)) ?? norm(x)).filter(Boolean);
    const key = `${from}->${tos[0] ?? norm(d.target)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const hit = truthEdges.find((e) => e.from === from && tos.includes(e.to));
    if (hit) {
      if (!hit.hit) score.dependencies.tp++;
      hit.hit = true;
    } else {
      score.dependencies.fp++;
      score.misses.push(`dependency not in truth: ${d.from} -> ${d.target} (${d.file}:${d.line})`);
    }
  }
  for (const e of truthEdges.filter((x) => !x.hit)) {
    score.dependencies.fn++;
    score.misses.push(`dependency missed: ${e.from} -> ${e.to}`);
  }

  // Problems: distinct (rule, file) claims.
  const truthProblems = truth.problems.map((p) => ({ rule: p.rule, files: Array.isArray(p.file) ? p.file : [p.file], hit: false }));
  const claimed = new Set<string>();
  for (const p of inv.problems) {
    if (UNSCORED_RULES.has(p.rule) || claimed.has(`${p.rule}|${p.file}`)) continue;
    claimed.add(`${p.rule}|${p.file}`);
    const hit = truthProblems.find((t) => t.rule === p.rule && t.files.includes(p.file));
    if (hit) {
      if (!hit.hit) score.problems.tp++;
      hit.hit = true;
    } else {
      score.problems.fp++;
      score.misses.push(`problem not in truth: ${p.rule} ${p.file}${p.line ? `:${p.line}` : ''}`);
    }
  }
  for (const t of truthProblems.filter((x) => !x.hit)) {
    score.problems.fn++;
    score.misses.push(`problem missed: ${t.rule} ${t.files.join(' or ')}`);
  }
  return score;
}

export function addScores(scores: Score[]): Score {
  const total: Score = { services: zero(), ports: zero(), dependencies: zero(), problems: zero(), misses: [] };
  for (const s of scores) {
    for (const c of CATEGORIES) for (const k of ['tp', 'fp', 'fn'] as const) total[c][k] += s[c][k];
  }
  return total;
}

/** Share of the truth found; 1 when there was nothing to find. */
export const recall = (c: Counts) => (c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn));
/** Share of the claims that are true; 1 when nothing was claimed. */
export const precision = (c: Counts) => (c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp));

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** A plain-text table: one line per case, then the totals. */
export function scoreTable(rows: Array<{ name: string; score: Score }>): string {
  const head = ['case', ...CATEGORIES.flatMap((c) => [`${c} R`, `${c} P`])];
  const line = (name: string, s: Score) => [name, ...CATEGORIES.flatMap((c) => [pct(recall(s[c])), pct(precision(s[c]))])];
  const body = [...rows.map((r) => line(r.name, r.score)), line('all', addScores(rows.map((r) => r.score)))];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}
