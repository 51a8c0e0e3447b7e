// What ties the adopted services together: host ports (clashes moved), depends_on from the
// discovered dependencies, and URLs to localhost rewritten through the variable the code reads.
import type { Dependency } from '../discovery/types.ts';
import type { ServicePlan } from './types.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '0.0.0.0', '::1', '[::1]']);

/**
 * Host ports for the services that publish one: a port .env already sets is kept; otherwise the
 * container port, moved up to the next free one when the kit, another service or an earlier
 * choice holds it. `taken` maps a port to who holds it.
 */
export function resolveHostPorts(plans: ServicePlan[], existing: Record<string, string>, taken: Map<number, string>): void {
  const held = new Map(taken);
  for (const plan of plans) {
    if (!plan.port) continue;
    const kept = Number(existing[plan.port.hostVar]);
    if (Number.isInteger(kept) && kept > 0) {
      plan.port.host = kept;
      held.set(kept, plan.port.hostVar);
      continue;
    }
    let port = plan.port.container;
    const first = held.get(port);
    while (held.has(port) || port < 1024) port += 1;
    plan.port.host = port;
    if (first) plan.port.moved = `host port ${plan.port.container} is ${first}'s: ${plan.port.hostVar}=${port}`;
    held.set(port, plan.port.hostVar);
  }
}

/** The adopted service whose files hold `file` (relative to the codebase's root). */
export function ownerOf(plans: ServicePlan[], sources: Map<string, string[]>, file: string): ServicePlan | undefined {
  return plans.find((p) => (sources.get(p.name) ?? []).some((src) => file === src || file.startsWith(`${src}/`)));
}

/**
 * depends_on from the dependencies between adopted services, and each localhost URL rewritten:
 * through the env variable the code reads it from, else a `needs a code change` line.
 */
export function linkServices(plans: ServicePlan[], sources: Map<string, string[]>, deps: Dependency[], byRow: Map<string, ServicePlan>): string[] {
  const problems: string[] = [];
  for (const dep of deps) {
    const from = byRow.get(dep.from) ?? ownerOf(plans, sources, dep.file);
    const to = dep.resolved ? byRow.get(dep.resolved) : undefined;
    if (!from || !to || from === to) continue;
    if (!from.dependsOn.includes(to.name)) from.dependsOn.push(to.name);
    if (!dep.host || !LOOPBACK.has(dep.host) || !to.port) continue;
    const url = dep.target.replace(/^(\w+:\/\/)?[^/:]+(:\d+)?/, (_m, scheme: string | undefined) => `${scheme ?? ''}${to.name}:${to.port!.container}`);
    if (dep.env) {
      from.environment[dep.env] = url;
      // Set to the other container's address: no longer a setting of .env.
      from.envExample = from.envExample.filter((e) => e.variable !== dep.env);
      from.notes.push(`${dep.env}=${url} (was ${dep.target} at ${dep.file}:${dep.line})`);
    } else {
      const variable = `${to.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;
      problems.push(
        `needs a code change: ${dep.file}:${dep.line}: ${dep.target} is this machine only; read it from an env variable (${variable}) and add ${variable}: ${url} to ${from.name}'s environment`,
      );
    }
  }
  return problems;
}
