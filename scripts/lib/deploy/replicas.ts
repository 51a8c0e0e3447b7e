// Replica counts in compose mode. .env's <SERVICE>_REPLICAS is the one source (swarm mode reads the
// same variables); make start and make scale turn it into the replicas file (docker/client.ts
// REPLICAS_FILE, beside .env), which compose itself reads, so a plain compose up in the folder keeps
// the counts too. A host port can be held by one container only: a service with more than one
// replica runs without its host ports and is reached through the proxies in front of it, which
// re-resolve its name and spread their requests over every replica (docs/SCALING.md).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type ServiceModel, proxiesOf } from '../compose.ts';
import { type StackMode, composeFiles, replicasFile } from '../docker/client.ts';
import { setEnvValues, writeFileAtomic } from '../env.ts';
import { UsageError } from '../errors.ts';
import { envFile, projectRoot } from '../paths.ts';
import { replicaCounts, replicasVariable } from '../swarm/settings.ts';

/**
 * Pure: why `service` cannot run `replicas` containers in compose mode, or undefined when it can.
 * Only a stateless service (galaxy.deploy=rolling) may run twice; one that publishes a host port
 * needs a proxy in front, because its replicas give the port up.
 */
export function composeScaleRefusal(services: ServiceModel[], service: string, replicas: number): string | undefined {
  const svc = services.find((s) => s.name === service);
  if (!svc) return `${service} is not a service of the compose files: make health lists them`;
  if (replicas === 1) return undefined;
  if (replicas < 1) return `${service} runs at least one container in compose mode (make stop stops the stack)`;
  if (svc.deploy !== 'rolling')
    return `${service} is replaced stop-then-start (galaxy.deploy=${svc.deploy ?? 'recreate'}): it must never run twice, so it runs one container`;
  if (replicas > 1 && svc.ports.length && !proxiesOf(services, service).length)
    return `${service} publishes host port ${svc.ports[0].published} and no proxy forwards to it: in compose mode one container holds a host port; scale it in swarm mode (docs/SCALING.md)`;
  return undefined;
}

/** Pure: .env's counts for compose mode, each checked; a service without a variable runs one. */
export function composeReplicaCounts(services: ServiceModel[], read: (name: string) => string | undefined): Record<string, number> {
  const counts = replicaCounts(
    services.map((s) => s.name),
    read,
  );
  for (const [service, count] of Object.entries(counts)) {
    const refusal = composeScaleRefusal(services, service, count);
    if (refusal) throw new UsageError(`.env has ${replicasVariable(service)}=${count}, but ${refusal}: set it to 1`);
  }
  return counts;
}

export interface ReplicaEntry {
  service: string;
  count: number;
  /** The container port its health path answers on: named in a label once the host ports are gone. */
  healthPort?: number;
}

/** Pure: .env's counts as entries of the replicas file (every service that does not run one). */
export function replicaEntries(services: ServiceModel[], read: (name: string) => string | undefined): ReplicaEntry[] {
  return Object.entries(composeReplicaCounts(services, read))
    .filter(([, count]) => count !== 1)
    .map(([service, count]) => {
      const svc = services.find((s) => s.name === service) as ServiceModel;
      // The model may already hold the file (ports reset): its label then names the port.
      const port = svc.healthPort ?? svc.ports[0]?.target;
      return { service, count, ...(port !== undefined ? { healthPort: port } : {}) };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}

/**
 * Pure: the replicas file for these entries, or undefined when there is none. Without host ports
 * the monitoring targets and health probes would not know the container port: a label keeps it.
 */
export function replicasFileText(entries: ReplicaEntry[]): string | undefined {
  if (!entries.length) return undefined;
  const blocks = entries.map(({ service, count, healthPort }) =>
    [
      `  ${JSON.stringify(service)}:`,
      `    scale: ${count}`,
      // `!reset` (Compose >= 2.24) drops the ports of every file before this one.
      ...(count > 1 ? ['    ports: !reset []'] : []),
      ...(count > 1 && healthPort !== undefined ? ['    labels:', `      galaxy.health.port: "${healthPort}"`] : []),
    ].join('\n'),
  );
  return `# Written by make start and make scale from .env's <SERVICE>_REPLICAS (docs/SCALING.md); edit .env, not this file.\nservices:\n${blocks.join('\n')}\n`;
}

/**
 * Makes the replicas file say what .env says (written under a temp name, then renamed; removed when
 * every service runs one) and keeps .env's COMPOSE_FILE naming it. True when the file changed:
 * the caller's compose model is then stale.
 */
export function syncReplicasFile(
  services: ServiceModel[],
  read: (name: string) => string | undefined,
  mode: StackMode,
  { root, env }: { root: string; env: string } = { root: projectRoot, env: envFile },
): boolean {
  const file = replicasFile(env);
  const text = replicasFileText(replicaEntries(services, read));
  const existed = existsSync(file);
  if (text === undefined) {
    if (!existed) return false;
    rmSync(file);
  } else {
    if (existed && readFileSync(file, 'utf8') === text) return false;
    writeFileAtomic(file, text);
  }
  if (existed !== (text !== undefined) && existsSync(env))
    setEnvValues(env, {
      COMPOSE_FILE: composeFiles(mode, root, 'compose', env)
        .map((f) => path.relative(root, f))
        .join(':'),
    });
  return true;
}

/**
 * Pure: how make scale moves a running service from `was` replicas (its config; `running` of them
 * run) to `replicas`. Only more containers of an unchanged config are added beside the running
 * ones; everything else replaces the set, because the config changes (1 <-> more: the replicas
 * file's port reset and label) or fewer must serve.
 */
export function scaleMove(input: { was: number; running: number; replicas: number; ported: boolean }): { add: true } | { add: false; why: string } {
  const { was, running, replicas, ported } = input;
  const reshaped = was > 1 !== replicas > 1;
  if (!reshaped && replicas > running && running === was) return { add: true };
  if (reshaped && ported) return { add: false, why: replicas > 1 ? 'its replicas give up its host ports' : 'it takes its host ports back' };
  if (reshaped) return { add: false, why: 'its compose config changes (the replicas file)' };
  if (replicas < running) return { add: false, why: 'fewer replicas' };
  return { add: false, why: `${running} run where ${was} should` };
}
