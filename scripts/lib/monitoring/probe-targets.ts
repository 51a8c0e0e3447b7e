// What Prometheus's blackbox exporter probes for the availability SLO (monitoring/README.md): every
// public endpoint, read from the compose model: a service of the system itself (no compose
// profile, so not the monitoring stack), with a health path and a published port, and not an admin
// UI. Probed inside the project's network by service name and container port, so a probe measures
// the service, not the host's port forwarding. Written as a Prometheus file_sd file that make start
// refreshes; Prometheus re-reads it on change (no restart, no list in prometheus.yml).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { needsAdminAuth } from '../admin-auth.ts';
import type { ComposeModel } from '../compose.ts';
import { writeFileAtomic } from '../env.ts';

export interface ProbeTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** One file_sd group per public endpoint (pure). */
export function probeTargets(model: ComposeModel): ProbeTargetGroup[] {
  return model.services
    .filter((svc) => svc.profiles.length === 0 && svc.healthPath?.startsWith('/') && svc.ports.length > 0 && !needsAdminAuth(svc))
    .map((svc) => ({
      targets: [`http://${svc.name}:${svc.ports[0].target}${svc.healthPath}`],
      // tier "probe": up{} of this job says whether the exporter answered, not the service, so the
      // TargetDown rules (tier app / monitoring) must not read it.
      labels: { service: svc.name, tier: 'probe' },
    }));
}

/** Writes the targets into `dir`/targets.json when they changed; returns how many endpoints it names. */
export function writeProbeTargets(model: ComposeModel, dir: string): number {
  const groups = probeTargets(model);
  const file = path.join(dir, 'targets.json');
  const text = `${JSON.stringify(groups, null, 2)}\n`;
  mkdirSync(dir, { recursive: true });
  // The folder, not the file, is mounted: a file replaced by rename stays visible in the container.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileAtomic(file, text, 0o644);
  return groups.length;
}
