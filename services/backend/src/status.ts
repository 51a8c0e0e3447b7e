// Health probing of other services and the aggregation shown by the status page.
import type { StatusTarget } from './config.js';

export type State = 'ok' | 'degraded' | 'down';

export interface StatusEntry {
  name: string;
  kind: 'self' | 'dependency' | 'service';
  status: State;
  latencyMs?: number;
  httpStatus?: number;
  critical?: boolean;
  error?: string;
  url?: string;
}

export interface StatusReport {
  status: State;
  checkedAt: string;
  services: StatusEntry[];
}

type FetchLike = (url: string, init: { signal: AbortSignal; headers?: Record<string, string> }) => Promise<Response>;

/** Map an HTTP answer to a state: 2xx with body status "ok" (or no JSON) is ok, "degraded" stays
 * degraded, anything else non-2xx is down. */
export function stateFromAnswer(httpStatus: number, body: unknown): State {
  if (httpStatus < 200 || httpStatus >= 300) return 'down';
  const reported = typeof body === 'object' && body !== null ? (body as { status?: unknown }).status : undefined;
  if (reported === undefined || reported === 'ok') return 'ok';
  return reported === 'degraded' ? 'degraded' : 'down';
}

export async function probe(target: StatusTarget, timeoutMs: number, fetchImpl: FetchLike = fetch): Promise<StatusEntry> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const res = await fetchImpl(target.url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined; // nginx-style plain "ok" bodies are fine: the HTTP status decides
    }
    return { name: target.name, kind: 'service', url: target.url, status: stateFromAnswer(res.status, body), httpStatus: res.status, latencyMs: elapsed() };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { name: target.name, kind: 'service', url: target.url, status: 'down', error: reason, latencyMs: elapsed() };
  }
}

/** Later entries replace earlier ones of the same name, in the earlier one's position (an explicit STATUS_TARGETS probe is
 * better evidence than the backend's own view of a dependency). Overall: down when a critical
 * entry is down, degraded when anything is not ok, else ok. */
export function aggregateStatus(entries: StatusEntry[], now: Date = new Date()): StatusReport {
  const byName = new Map<string, StatusEntry>();
  for (const e of entries) {
    const previous = byName.get(e.name);
    byName.set(e.name, previous?.critical ? { ...e, critical: true } : e);
  }
  const services = [...byName.values()];
  let status: State = 'ok';
  if (services.some((s) => s.status !== 'ok')) status = 'degraded';
  if (services.some((s) => s.critical && s.status === 'down')) status = 'down';
  return { status, checkedAt: now.toISOString(), services };
}
