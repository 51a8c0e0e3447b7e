// One row per service: rows found in code, Dockerfiles, compose files and manifests that share a
// project root are merged, keeping every source (file:line). Copies of a project kept in backup or
// archive folders are taken out of the service list and named as copies.
import path from 'node:path';
import { copiedName, folderName, isCopyDir, projectRootOf } from './projects.ts';
import type { PortValue, Service, ServiceSource } from './types.ts';

/** Which row describes a merged service best: code first, then compose, the Dockerfile last. */
const PRIORITY: Service['kind'][] = ['server', 'program', 'static', 'unsupported', 'compose', 'container'];

export function sourceOf(s: Service): ServiceSource[] {
  if (s.sources?.length) return s.sources;
  const at = /\bat ([^\s:]+):(\d+)/.exec(s.reason);
  return [{ kind: s.kind, file: at?.[1] ?? s.entry, line: at ? Number(at[2]) : 1 }];
}

/** The compose or manifest service name a row carries, if any. */
export const composeName = (s: Service) => sourceOf(s).find((x) => x.kind === 'compose' || x.kind === 'manifest')?.name ?? null;

/** Ports of all rows, one entry per number: the most direct source kept, a compose publication added. */
function mergePorts(rows: Service[]): PortValue[] {
  const out: PortValue[] = [];
  for (const p of rows.flatMap((r) => r.ports)) {
    const same = out.find((x) => x.port !== null && x.port === p.port);
    if (same) {
      if (!same.published && p.published) same.published = p.published;
    } else out.push({ ...p });
  }
  return out.some((p) => p.port !== null) ? out.filter((p) => p.port !== null) : out.slice(0, 1);
}

function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

function mergeRows(rows: Service[], root: string, name: string | null): Service {
  const sorted = [...rows].sort((a, b) => PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  const primary = sorted[0];
  const first = <K extends keyof Service>(key: K) => sorted.map((r) => r[key]).find((v) => v !== null && v !== undefined) ?? null;
  return {
    ...primary,
    name: name ?? primary.name,
    dir: root,
    ports: mergePorts(sorted),
    bind: first('bind') as Service['bind'],
    start: first('start') as string | null,
    health: first('health') as string | null,
    metrics: first('metrics') as string | null,
    image: first('image') as string | null,
    framework: first('framework') as string | null,
    env: union(sorted.map((r) => r.env)),
    // A compose file or manifest describes many services: it is not one service's file.
    files: union(sorted.filter((r) => r.kind !== 'compose').map((r) => r.files)),
    dependencies: { declared: union(sorted.map((r) => r.dependencies.declared)), imported: union(sorted.map((r) => r.dependencies.imported)) },
    sources: sorted.flatMap(sourceOf),
  };
}

export interface MergeContext {
  markers: Set<string>;
  /** Project names from build files, by folder. */
  names: Map<string, string>;
}

/**
 * Groups rows by project root and merges each group. A group with two or more servers keeps them
 * apart (two programs in one project each listening), with the other rows joined to the first.
 */
export function mergeProjects(services: Service[], ctx: MergeContext): Service[] {
  const groups = new Map<string, Service[]>();
  const alone: Service[] = [];
  // In a tree of several projects, a marker at the top (a monorepo's package.json, the tooling's
  // requirements.txt) does not make every loose program below it one service.
  const severalProjects = [...ctx.markers].some((d) => d !== '.');
  const rootOf = (dir: string) => {
    const root = projectRootOf(dir, ctx.markers);
    return root === '.' && dir !== '.' && severalProjects ? dir : (root ?? dir);
  };
  for (const s of services) {
    if (s.kind === 'script') {
      alone.push(s);
      continue;
    }
    const isCompose = s.kind === 'compose';
    // An image-only compose or manifest service (postgres:16) has no folder of its own.
    if (isCompose && !s.sources?.some((x) => x.build)) {
      alone.push(s);
      continue;
    }
    const root = rootOf(s.dir);
    groups.set(root, [...(groups.get(root) ?? []), s]);
  }
  // A Dockerfile or compose build context with no code of its own that encloses exactly one code
  // project (`src/cart/Dockerfile` building `src/cart/src/package.json`) is that project's container.
  const isCode = (r: Service) => !['compose', 'container'].includes(r.kind);
  for (const [root, rows] of [...groups]) {
    if (rows.some(isCode)) continue;
    const inner = [...groups].filter(([r, rs]) => r !== root && (root === '.' || r.startsWith(`${root}/`)) && rs.some(isCode) && !rs.some((x) => !isCode(x)));
    if (inner.length !== 1) continue;
    groups.set(root, [...inner[0][1], ...rows]);
    groups.delete(inner[0][0]);
  }
  const out: Service[] = [];
  // Merged rows stand where their first row stood: the order of the rows found stays.
  const at = new Map<Service, number>(services.map((s, i) => [s, i]));
  const place = (merged: Service, from: Service[]) => at.set(merged, Math.min(...from.map((r) => at.get(r) ?? Infinity)));
  for (const [root, rows] of groups) {
    const servers = rows.filter((r) => r.kind === 'server');
    const named = composeName(rows.find((r) => r.kind === 'compose') ?? rows[0]);
    const hasMarker = ctx.markers.has(root);
    const pkgName = rows.find((r) => r.name && r.kind !== 'compose' && r.kind !== 'container')?.name;
    const name = named ?? pkgName ?? ctx.names.get(root) ?? (hasMarker || rows.length > 1 ? folderName(root) : null);
    if (servers.length <= 1 || rows.length === servers.length) {
      if (rows.length === 1 && !named && !hasMarker) out.push(rows[0]);
      else if (servers.length <= 1) {
        const merged = mergeRows(rows, root, name ?? (rows.length > 1 ? path.posix.basename(root) : null));
        place(merged, rows);
        out.push(merged);
      } else out.push(...rows);
      continue;
    }
    const others = rows.filter((r) => r.kind !== 'server');
    const merged = mergeRows([servers[0], ...others], servers[0].dir, null);
    place(merged, [servers[0], ...others]);
    out.push(merged, ...servers.slice(1));
  }
  return [...out, ...alone].sort((x, y) => (at.get(x) ?? 0) - (at.get(y) ?? 0));
}

export interface Copy {
  dir: string;
  entry: string;
  /** The service it is a copy of, when one of that name is in the inventory. */
  of: string | null;
}

/** Splits stale copies (backup/orders, orders_restored) from the services. */
export function splitCopies(services: Service[]): { services: Service[]; copies: Copy[] } {
  const isCopy = (s: Service) => s.kind !== 'compose' && s.kind !== 'script' && isCopyDir(s.dir);
  const kept = services.filter((s) => !isCopy(s));
  const copies = services.filter(isCopy).map((s) => {
    const guess = copiedName(s.dir);
    const of = kept.find((k) => k.name === guess || path.posix.basename(k.dir) === guess)?.name ?? null;
    return { dir: s.dir, entry: s.entry, of };
  });
  return { services: kept, copies };
}
