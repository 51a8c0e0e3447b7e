// Health probing: Docker's own health state plus a timed HTTP probe of each published health URL.
import { adminAuthHeaders } from './admin-auth.ts';
import { type ComposeContext, type ComposeModel, publishedUrl } from './compose.ts';
import { type ContainerInfo, type ContainerState, inspectContainers, listContainers, readiness } from './docker/containers.ts';

export interface ServiceHealth {
  service: string;
  state: string; // running, exited, missing ...
  health: string; // healthy, unhealthy, starting, none
  uptimeSeconds?: number;
  restarts?: number;
  url?: string;
  httpStatus?: number;
  latencyMs?: number;
  ok: boolean;
}

async function inspect(ids: string[]): Promise<Map<string, ContainerInfo>> {
  if (!ids.length) return new Map();
  const rows = (await inspectContainers(ids, '15s')) ?? [];
  return new Map(rows.map((row) => [row.id.slice(0, 12), row]));
}

export function healthUrl(model: ComposeModel, service: string): string | undefined {
  const svc = model.services.find((s) => s.name === service);
  const port = svc?.ports[0];
  if (!svc?.healthPath || !port) return undefined;
  return `${publishedUrl(port)}${svc.healthPath}`;
}

export interface HealthProbe {
  url: string;
  /** The admin credentials for a service that asks for them on every path (admin-auth.ts). */
  headers: Record<string, string>;
}

/** What a probe of the service's published health URL sends; `values` is .env. */
export function healthProbe(model: ComposeModel, service: string, values: Record<string, string>): HealthProbe | undefined {
  const url = healthUrl(model, service);
  const svc = model.services.find((s) => s.name === service);
  return url && svc ? { url, headers: adminAuthHeaders(svc, values) } : undefined;
}

export async function probeHttp(url: string, timeoutMs = 3000, headers: Record<string, string> = {}): Promise<{ status?: number; latencyMs: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return { status: response.status, latencyMs: performance.now() - started };
  } catch {
    return { latencyMs: performance.now() - started };
  }
}

/** A service is OK when the readiness rule says ready (runs, healthy or no healthcheck) and its URL answers 2xx. */
export function judge(container: ContainerState | undefined, httpStatus: number | undefined, hasUrl: boolean): boolean {
  if (readiness(container).verdict !== 'ready') return false;
  return !hasUrl || (httpStatus !== undefined && httpStatus >= 200 && httpStatus < 300);
}

export async function collectHealth(ctx: ComposeContext, model: ComposeModel, values: Record<string, string>): Promise<ServiceHealth[]> {
  const containers = await listContainers(ctx);
  const details = await inspect(containers.map((c) => c.id));
  const now = Date.now();
  return Promise.all(
    model.services.map(async (svc): Promise<ServiceHealth> => {
      // With several replicas (during a deploy) report the newest running one.
      const mine = containers.filter((c) => c.service === svc.name);
      const container = mine.find((c) => c.status === 'running') ?? mine[0];
      const detail = container ? details.get(container.id.slice(0, 12)) : undefined;
      const target = healthProbe(model, svc.name, values);
      const url = target?.url;
      const probe = target && container?.status === 'running' ? await probeHttp(target.url, undefined, target.headers) : undefined;
      return {
        service: svc.name,
        state: container?.status ?? 'missing',
        health: container ? container.health || 'none' : 'none',
        uptimeSeconds: detail?.running ? Math.max(0, (now - Date.parse(detail.startedAt)) / 1000) : undefined,
        restarts: detail?.restarts,
        url,
        httpStatus: probe?.status,
        latencyMs: probe ? Math.round(probe.latencyMs * 10) / 10 : undefined,
        ok: judge(container, probe?.status, Boolean(url)),
      };
    }),
  );
}
