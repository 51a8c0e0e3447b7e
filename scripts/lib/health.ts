// Health probing: Docker's own health state plus a timed HTTP probe of each published health URL.
import { adminAuthHeaders } from './admin-auth.ts';
import { type ComposeModel, type ServiceModel, proxiesOf, publishedUrl } from './compose.ts';
import { type Judged, allProjectContainers, readiness } from './docker/containers.ts';
import { httpGet } from './http-get.ts';

export interface ServiceHealth {
  service: string;
  state: string; // running, exited, missing ...
  health: string; // healthy, unhealthy, starting, none
  uptimeSeconds?: number;
  restarts?: number;
  url?: string;
  httpStatus?: number;
  latencyMs?: number;
  /** A service scaled in compose mode (make scale): ready containers of those it should run. */
  replicas?: { running: number; desired: number };
  ok: boolean;
}

export function healthUrl(model: ComposeModel, service: string): string | undefined {
  const svc = model.services.find((s) => s.name === service);
  const port = svc?.ports[0];
  if (!svc?.healthPath || !port) return undefined;
  return `${publishedUrl(port)}${svc.healthPath}`;
}

/**
 * Where a person reaches the service, for the start table: every published port (an HTTP service's
 * as a URL), else the proxies that publish it, else "(internal)". Which of a proxy's ports leads to
 * which upstream is in the proxy's own config, not in the compose model, so it is not guessed.
 */
export function serviceAddresses(model: ComposeModel, svc: ServiceModel): string {
  if (svc.ports.length)
    return svc.ports
      .map((p) => {
        const url = publishedUrl(p);
        return p.protocol === 'udp' ? `${url.slice('http://'.length)}/udp` : svc.healthPath ? `${url}/` : url.slice('http://'.length);
      })
      .join(' ');
  const proxies = proxiesOf(model.services, svc.name);
  return proxies.length ? `(via ${proxies.join(', ')})` : '(internal)';
}

/**
 * A health endpoint answers in milliseconds; one that takes longer than this is reported as not
 * answering rather than holding the whole check (and the cron job or pipeline that runs it) up.
 */
export const PROBE_TIMEOUT_MS = 2000;

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

export async function probeHttp(
  url: string,
  timeoutMs = PROBE_TIMEOUT_MS,
  headers: Record<string, string> = {},
): Promise<{ status?: number; latencyMs: number }> {
  const started = performance.now();
  try {
    const status = await httpGet(url, { timeoutMs, headers });
    return { status, latencyMs: performance.now() - started };
  } catch {
    return { latencyMs: performance.now() - started };
  }
}

/** A service is OK when the readiness rule says ready (runs, healthy or no healthcheck) and its URL answers 2xx. */
export function judge(container: Judged | undefined, httpStatus: number | undefined, hasUrl: boolean): boolean {
  if (readiness(container).verdict !== 'ready') return false;
  return !hasUrl || (httpStatus !== undefined && httpStatus >= 200 && httpStatus < 300);
}

export async function collectHealth(model: ComposeModel, values: Record<string, string>): Promise<ServiceHealth[]> {
  // Every probe starts now, beside the engine calls, not after them: a probe of a service whose
  // container turns out not to run is dropped unread.
  const probes = new Map(
    model.services.flatMap((svc) => {
      const target = healthProbe(model, svc.name, values);
      return target ? [[svc.name, probeHttp(target.url, undefined, target.headers)] as const] : [];
    }),
  );
  const containers = await allProjectContainers(model.project);
  const now = Date.now();
  return Promise.all(
    model.services.map(async (svc): Promise<ServiceHealth> => {
      // With several replicas (during a deploy) report the newest running one.
      const mine = containers.filter((c) => c.service === svc.name);
      const container = mine.find((c) => c.status === 'running') ?? mine[0];
      const url = healthUrl(model, svc.name);
      const probe = url && container?.status === 'running' ? await probes.get(svc.name) : undefined;
      const desired = svc.replicas ?? 1;
      const ready = mine.filter((c) => readiness({ status: c.status, health: c.health }).verdict === 'ready').length;
      return {
        service: svc.name,
        state: container?.status ?? 'missing',
        health: container ? container.health || 'none' : 'none',
        uptimeSeconds: container?.running ? Math.max(0, (now - Date.parse(container.startedAt)) / 1000) : undefined,
        restarts: container?.restarts,
        url,
        httpStatus: probe?.status,
        latencyMs: probe ? Math.round(probe.latencyMs * 10) / 10 : undefined,
        // The readiness rule on state and health alone: a restart count long past is not a failure now.
        ...(desired !== 1 ? { replicas: { running: ready, desired } } : {}),
        ok: judge(container && { status: container.status, health: container.health }, probe?.status, Boolean(url)) && ready >= desired,
      };
    }),
  );
}
