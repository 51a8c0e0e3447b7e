// Dependency checks shared by /health, /metrics (galaxy_dependency_up) and /api/status.
import type pg from 'pg';
import type { Redis } from './cache.js';
import type { Metrics } from './metrics.js';
import { probe, type StatusEntry } from './status.js';

export interface DependencyState {
  name: string;
  critical: boolean; // critical: the backend cannot serve without it, so /health answers 503
  up: boolean;
  latencyMs: number;
  error?: string;
  detail?: string;
}

export interface HealthReport {
  httpStatus: 200 | 503;
  body: {
    status: 'ok' | 'degraded' | 'down';
    service: string;
    version: string;
    migrations: 'pending' | 'done';
    dependencies: Record<string, Omit<DependencyState, 'name'>>;
  };
}

/** 503 only when postgres or redis is down (or the schema is not ready): memory-api and
 * experience-api outages degrade chat and status but must not get healthy backends restarted. */
export function healthReport(deps: DependencyState[], migrated: boolean, version: string): HealthReport {
  const criticalDown = deps.some((d) => d.critical && !d.up) || !migrated;
  const anyDown = deps.some((d) => !d.up);
  const status = criticalDown ? 'down' : anyDown ? 'degraded' : 'ok';
  const dependencies = Object.fromEntries(deps.map(({ name, ...rest }) => [name, rest]));
  return {
    httpStatus: criticalDown ? 503 : 200,
    body: { status, service: 'backend', version, migrations: migrated ? 'done' : 'pending', dependencies },
  };
}

export function asStatusEntries(deps: DependencyState[]): StatusEntry[] {
  return deps.map((d) => ({
    name: d.name,
    kind: 'dependency',
    status: d.up ? 'ok' : 'down',
    critical: d.critical,
    latencyMs: d.latencyMs,
    ...(d.error ? { error: d.error } : {}),
  }));
}

async function timed(name: string, critical: boolean, timeoutMs: number, fn: () => Promise<string | undefined>): Promise<DependencyState> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    });
    const detail = await Promise.race([fn(), timeout]);
    return { name, critical, up: true, latencyMs: round(performance.now() - started), ...(detail ? { detail } : {}) };
  } catch (err) {
    return { name, critical, up: false, latencyMs: round(performance.now() - started), error: (err as Error).message || String(err) };
  } finally {
    clearTimeout(timer);
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export class DependencyMonitor {
  private cached?: { at: number; value: Promise<DependencyState[]> };

  constructor(
    private readonly opts: {
      pool: pg.Pool;
      redis: Redis;
      memoryApiUrl: string;
      experienceApiUrl: string;
      timeoutMs: number;
      metrics: Metrics;
      cacheMs?: number;
    },
  ) {}

  /** Results are shared for `cacheMs` so a burst of probes and scrapes costs one round of checks. */
  check(): Promise<DependencyState[]> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < (this.opts.cacheMs ?? 1000)) return this.cached.value;
    const value = this.runChecks();
    this.cached = { at: now, value };
    return value;
  }

  private async runChecks(): Promise<DependencyState[]> {
    const { pool, redis, timeoutMs } = this.opts;
    const http = async (name: string, base: string) => {
      const entry = await probe({ name, url: `${base}/health` }, timeoutMs);
      if (entry.status === 'down') throw new Error(entry.error ?? `HTTP ${entry.httpStatus}`);
      return entry.status === 'degraded' ? 'reports degraded' : undefined;
    };
    const results = await Promise.all([
      timed('postgres', true, timeoutMs, async () => {
        await pool.query('SELECT 1');
        return undefined;
      }),
      timed('redis', true, timeoutMs, async () => {
        if (!redis.isReady) throw new Error('not connected');
        await redis.ping();
        return undefined;
      }),
      timed('memory-api', false, timeoutMs, () => http('memory-api', this.opts.memoryApiUrl)),
      timed('experience-api', false, timeoutMs, () => http('experience-api', this.opts.experienceApiUrl)),
    ]);
    for (const r of results) this.opts.metrics.setDependency(r.name, r.up);
    return results;
  }
}
