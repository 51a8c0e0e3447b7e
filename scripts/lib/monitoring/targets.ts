// What Prometheus reads of the system's services, from the compose model (nothing in
// prometheus.yml names one), written as file_sd files that make start refreshes and Prometheus
// re-reads on change (no restart):
// - probe-targets.json, for the blackbox job (the availability SLO, monitoring/README.md): every
//   public endpoint: a service of the system itself (no compose profile, so not the monitoring
//   stack) with a health path, published on the host or behind a proxy that is, and not an admin UI.
// - scrape-targets.json, for the app job: every service of the system labelled
//   `galaxy.metrics.path` (the route its Prometheus metrics are served on).
// Both are addressed inside the project's network by service name and container port, so they
// measure the service, not the host's port forwarding. Targets come from the model, not from
// running containers: a stopped service stays a target and shows as down.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { needsAdminAuth } from '../admin-auth.ts';
import { type ComposeModel, type ServiceModel, proxiesOf } from '../compose.ts';
import { writeFileAtomic } from '../env.ts';
import { SWARM_PROFILE } from '../swarm/stack-file.ts';

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

export const PROBE_TARGETS_FILE = 'probe-targets.json';
export const SCRAPE_TARGETS_FILE = 'scrape-targets.json';

/** Reached from the host: published, or behind a proxy that is (an edge, the adopted services' front). */
function isPublic(services: ServiceModel[], svc: ServiceModel, seen = new Set<string>()): boolean {
  if (svc.ports.length > 0) return true;
  seen.add(svc.name);
  return proxiesOf(services, svc.name).some((name) => {
    const proxy = services.find((s) => s.name === name);
    return proxy !== undefined && !seen.has(name) && isPublic(services, proxy, seen);
  });
}

// The system's own: no profile but swarm mode's (the monitoring stack has its own jobs), no admin UI.
const ownService = (svc: ServiceModel) => svc.profiles.every((p) => p === SWARM_PROFILE) && !needsAdminAuth(svc);

/** One blackbox group per public endpoint (pure). */
export function probeTargets(model: ComposeModel): TargetGroup[] {
  return model.services.flatMap((svc) => {
    const port = svc.healthPort ?? svc.ports[0]?.target;
    if (!ownService(svc) || !svc.healthPath?.startsWith('/') || port === undefined || !isPublic(model.services, svc)) return [];
    // tier "probe": up{} of this job says whether the exporter answered, not the service, so the
    // TargetDown rules (tier app / monitoring) must not read it.
    return [{ targets: [`http://${svc.name}:${port}${svc.healthPath}`], labels: { service: svc.name, tier: 'probe' } }];
  });
}

/** One scrape group per service that serves Prometheus metrics (pure). */
export function scrapeTargets(model: ComposeModel): TargetGroup[] {
  return model.services.flatMap((svc) => {
    const metricsPath = svc.metrics?.path;
    const port = svc.metrics?.port ?? svc.healthPort ?? svc.ports[0]?.target;
    if (!ownService(svc) || !metricsPath?.startsWith('/') || port === undefined) return [];
    // tier "app": TargetDown on it is critical (rules/availability.yml); __metrics_path__ is
    // Prometheus's own label for the path it scrapes.
    return [{ targets: [`${svc.name}:${port}`], labels: { service: svc.name, tier: 'app', __metrics_path__: metricsPath } }];
  });
}

function writeIfChanged(file: string, groups: TargetGroup[]): void {
  const text = `${JSON.stringify(groups, null, 2)}\n`;
  // Prometheus runs as nobody: readable by all.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileAtomic(file, text, 0o644);
}

/**
 * Writes both target files into `dir` when they changed; returns how many probes and scrapes they
 * name. In swarm mode the auto-scaler names a scrape target per replica instead (its /targets,
 * prometheus.yml): one name here would reach one replica at random. `probing: false` writes no
 * probe: a compose start empties them until its services have had their chance to become healthy.
 */
export function writeMonitoringTargets(model: ComposeModel, dir: string, swarm = false, probing = true): { probes: number; scrapes: number } {
  const probes = probing ? probeTargets(model) : [];
  const scrapes = swarm ? [] : scrapeTargets(model);
  // The folder, not the files, is mounted: a file replaced by rename stays visible in the container.
  mkdirSync(dir, { recursive: true });
  writeIfChanged(path.join(dir, PROBE_TARGETS_FILE), probes);
  writeIfChanged(path.join(dir, SCRAPE_TARGETS_FILE), scrapes);
  return { probes: probes.length, scrapes: scrapes.length };
}
