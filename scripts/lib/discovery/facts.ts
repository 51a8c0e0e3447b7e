// Per-file facts the language detectors extract; the inventory assembles services from them.
import type { BindValue, PortValue } from './types.ts';

export interface Listener {
  file: string;
  line: number;
  /** The call as written, shortened, e.g. `app.listen(PORT, HOST)`. */
  call: string;
  framework: string;
  port: PortValue | null;
  bind: BindValue | null;
}

export interface FileFacts {
  file: string;
  language: 'node' | 'python';
  listeners: Listener[];
  env: string[];
  /** Local files imported (relative paths inside the scanned root). */
  localImports: string[];
  /** Third-party packages imported. */
  packages: string[];
  health: string | null;
  /** The Prometheus metrics route the code serves (`/metrics`), if any. */
  metrics: string | null;
  frameworks: string[];
  /** Python: has `if __name__ == "__main__"`. */
  isMain: boolean;
  debug: Array<{ line: number; what: string }>;
  /** Functions that start a server on their host/port parameters (resolved at their call sites). */
  wrappers: Wrapper[];
}

export interface Wrapper {
  name: string;
  file: string;
  line: number;
  params: string[];
  hostAt: number;
  portAt: number;
  framework: string;
  defaultHost: string;
  /** JavaScript: the port/host are keys of a destructured object parameter (`start({ port })`). */
  portKey?: string;
  hostKey?: string;
}

/**
 * Server calls of one kind read per file. A file with thousands of identical calls is generated
 * (or a test of this tool): the first ones say all there is, and reading each would be slow.
 */
export const MAX_CALLS = 200;

/** Route strings that name a health or readiness endpoint, in any language. */
export const HEALTH_ROUTE = /['"`](\/(?:api\/)?(?:v\d+\/)?(?:health|healthz|healthcheck|_health|ready|readyz|readiness|live|livez|liveness|ping))(?:['"`?])/g;

export function findHealth(code: string): string | null {
  HEALTH_ROUTE.lastIndex = 0;
  const found = new Set<string>();
  for (let m = HEALTH_ROUTE.exec(code); m; m = HEALTH_ROUTE.exec(code)) found.add(m[1]);
  if (!found.size) return null;
  // Prefer the conventional name when several exist.
  for (const pref of ['/health', '/healthz', '/api/health']) if (found.has(pref)) return pref;
  return [...found].sort()[0];
}

/** A route string ending in `metrics` (`'/metrics'`, `"/api/metrics"`), in any language. */
const METRICS_ROUTE = /['"`](\/(?:[\w-]+\/)*metrics)['"`]/g;
/** Libraries that serve /metrics on the app's own port once imported (their default path). */
const METRICS_LIBRARIES = /\b(?:prometheus_flask_exporter|prometheus_fastapi_instrumentator|express-prom-bundle)\b/;

/** The route a service's Prometheus metrics are served on, if its code names one. */
export function findMetrics(code: string): string | null {
  METRICS_ROUTE.lastIndex = 0;
  const found = new Set<string>();
  for (let m = METRICS_ROUTE.exec(code); m; m = METRICS_ROUTE.exec(code)) found.add(m[1]);
  if (found.has('/metrics') || (!found.size && METRICS_LIBRARIES.test(code))) return '/metrics';
  return [...found].sort()[0] ?? null;
}

export function shorten(text: string, max = 80): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function uniqSorted(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}
