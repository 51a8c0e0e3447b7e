// Swarm mode's settings in .env (the process environment first, as compose reads them):
// DEPLOY_TARGET, REGISTRY_PORT and <SERVICE>_REPLICAS. Checked here, at the edge.
import { readFileSync } from 'node:fs';
import { readEnvText } from '../env.ts';
import { UsageError } from '../errors.ts';
import { envFile } from '../paths.ts';
import { DEFAULT_REGISTRY_PORT } from './registry.ts';

export type DeployTarget = 'compose' | 'swarm';

function setting(name: string): string | undefined {
  if (process.env[name] !== undefined && process.env[name] !== '') return process.env[name];
  try {
    return readEnvText(readFileSync(envFile, 'utf8')).values[name] || undefined;
  } catch {
    return undefined;
  }
}

export function deployTarget(flagSwarm = false): DeployTarget {
  if (flagSwarm) return 'swarm';
  const value = setting('DEPLOY_TARGET') ?? 'compose';
  if (value !== 'compose' && value !== 'swarm') throw new UsageError(`.env has DEPLOY_TARGET=${value}: use compose or swarm`);
  return value;
}

export function registryPort(): number {
  const value = setting('REGISTRY_PORT') ?? String(DEFAULT_REGISTRY_PORT);
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new UsageError(`.env has REGISTRY_PORT=${value}: give a TCP port (1-65535)`);
  return Number(value);
}

/**
 * REGISTRY in .env: an external registry (host, optional port and path) every node pulls from,
 * instead of the cluster's own; undefined when unset. Checked here: it becomes part of image names.
 */
export function externalRegistry(read: (name: string) => string | undefined = setting): string | undefined {
  const value = read('REGISTRY');
  if (value === undefined) return undefined;
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9][a-z0-9._-]*)*$/.test(value))
    throw new UsageError(`.env has REGISTRY=${value}: give a registry as <host>[:<port>][/<path>] in lower case, without https://`);
  return value;
}

/** `backend` -> BACKEND_REPLICAS, `experience-api` -> EXPERIENCE_API_REPLICAS. */
export function replicasVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_REPLICAS`;
}

/** Pure: the replica count .env gives each service, checked (a whole number from 0 to 50). */
export function replicaCounts(services: string[], read: (name: string) => string | undefined = setting): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const service of services) {
    const variable = replicasVariable(service);
    const value = read(variable);
    if (value === undefined) continue;
    if (!/^\d+$/.test(value) || Number(value) > 50) throw new UsageError(`.env has ${variable}=${value}: give a whole number of replicas from 0 to 50`);
    counts[service] = Number(value);
  }
  return counts;
}
