// The compose model. The compose files are the only list of services: everything here is read
// from `docker compose config --format json` (run by docker/client.ts), never kept in a second list.
import { cachedComposeModel, modelKeyFor } from './compose-cache.ts';
import { type ComposeContext, compose } from './docker/client.ts';
import { OperationError, UsageError, lastLine } from './errors.ts';
import { sendsToStore } from './logs/route.ts';

export type { ComposeContext, StackMode } from './docker/client.ts';

export interface PublishedPort {
  hostIp: string;
  published: number;
  target: number;
  /** Set for a UDP port only (the log store's): everything else the kit publishes is TCP. */
  protocol?: 'udp';
}

/** Where this machine reaches a published port: its address, loopback for "every address". */
export function publishedUrl(port: PublishedPort): string {
  const host = port.hostIp === '0.0.0.0' || port.hostIp === '' ? '127.0.0.1' : port.hostIp;
  return `http://${host}:${port.published}`;
}

/** A build section as `docker compose config` resolves it (absolute context paths). */
export interface BuildSpec {
  context: string;
  dockerfile?: string;
  args?: Record<string, string>;
  additional_contexts?: Record<string, string>;
  [key: string]: unknown;
}

export interface ServiceModel {
  name: string;
  ports: PublishedPort[];
  labels: Record<string, string>;
  dependsOn: string[];
  hasHealthcheck: boolean;
  healthPath?: string;
  /** The container port its health path answers on (galaxy.health.port), when not its first published one. */
  healthPort?: number;
  /** Where it serves Prometheus metrics (galaxy.metrics.path, and .port when not the health port). */
  metrics?: { path: string; port?: number };
  deploy?: string;
  /** How many containers compose runs of it (`scale`, e.g. from the replicas file); absent means one. */
  replicas?: number;
  /** Its lines go to a log store on this machine (Docker's syslog driver to udp://127.0.0.1): make logs reads the store. */
  logsToStore?: true;
  build: boolean;
  /** The build section as compose resolved it: what images/service-builds.ts hashes. */
  buildSpec?: BuildSpec;
  /** The image reference as compose resolved it (`orders/api:latest`); what a build is tagged as. */
  image?: string;
  /** Compose profiles the service belongs to (monitoring, grafana); empty for the core system. */
  profiles: string[];
  /**
   * A one-shot job: another service waits for it with `condition: service_completed_successfully`,
   * so its exit 0 is its success, not a failure (make start's watcher reads it).
   */
  completes?: boolean;
}

export interface ComposeModel {
  project: string;
  services: ServiceModel[];
}

interface RawService {
  ports?: Array<{ host_ip?: string; published?: string | number; target: number; protocol?: string }>;
  labels?: Record<string, string>;
  depends_on?: Record<string, { condition?: string } | undefined>;
  healthcheck?: { test?: string[]; disable?: boolean };
  build?: BuildSpec;
  image?: string;
  profiles?: string[];
  logging?: { driver?: string; options?: Record<string, string> };
  scale?: number;
  deploy?: { replicas?: number };
}

/** `{ [key]: port }` when the label holds a port number, else nothing (an unusable label is no port). */
function portLabel<K extends string>(labels: Record<string, string>, label: string, key: K): Partial<Record<K, number>> {
  const port = Number(labels[label]);
  return Number.isInteger(port) && port > 0 && port < 65536 ? ({ [key]: port } as Record<K, number>) : {};
}

/** Compose mode runs `scale` containers, else `deploy.replicas` (compose reads both); one is the default. */
function replicasOf(svc: RawService): { replicas?: number } {
  const count = svc.scale ?? svc.deploy?.replicas;
  return typeof count === 'number' && count !== 1 ? { replicas: count } : {};
}

/** Turns compose's JSON into the model the scripts use (pure, unit-tested). */
export function parseComposeConfig(json: string): ComposeModel {
  const raw = JSON.parse(json) as { name: string; services: Record<string, RawService> };
  const completing = new Set(
    Object.values(raw.services ?? {}).flatMap((svc) =>
      Object.entries(svc.depends_on ?? {})
        .filter(([, dep]) => dep?.condition === 'service_completed_successfully')
        .map(([name]) => name),
    ),
  );
  const services = Object.entries(raw.services ?? {}).map(([name, svc]): ServiceModel => {
    const labels = svc.labels ?? {};
    return {
      name,
      ports: (svc.ports ?? [])
        .filter((p) => p.published !== undefined && p.published !== '')
        .map((p) => ({
          hostIp: p.host_ip || '0.0.0.0',
          published: Number(p.published),
          target: p.target,
          ...(p.protocol === 'udp' ? { protocol: 'udp' as const } : {}),
        })),
      labels,
      dependsOn: Object.keys(svc.depends_on ?? {}),
      // A healthcheck block without `test` keeps the image's own command (Docker merges the two).
      hasHealthcheck: Boolean(svc.healthcheck) && !svc.healthcheck?.disable && svc.healthcheck?.test?.[0] !== 'NONE',
      healthPath: labels['galaxy.health.path'],
      ...portLabel(labels, 'galaxy.health.port', 'healthPort'),
      ...(labels['galaxy.metrics.path'] ? { metrics: { path: labels['galaxy.metrics.path'], ...portLabel(labels, 'galaxy.metrics.port', 'port') } } : {}),
      deploy: labels['galaxy.deploy'],
      ...replicasOf(svc),
      build: Boolean(svc.build),
      ...(svc.build ? { buildSpec: svc.build } : {}),
      ...(svc.image ? { image: svc.image } : {}),
      profiles: svc.profiles ?? [],
      ...(completing.has(name) ? { completes: true } : {}),
      ...(sendsToStore(svc.logging) ? { logsToStore: true as const } : {}),
    };
  });
  return { project: raw.name, services: orderByDependencies(services) };
}

/** Dependencies first (start order); reverse it to stop. */
export function orderByDependencies(services: ServiceModel[]): ServiceModel[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const ordered: ServiceModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: ServiceModel) => {
    if (state.get(service.name) === 'done') return;
    if (state.get(service.name) === 'visiting') throw new OperationError(`compose files have a dependency cycle through ${service.name}`);
    state.set(service.name, 'visiting');
    for (const dep of service.dependsOn) {
      const target = byName.get(dep);
      if (target) visit(target);
    }
    state.set(service.name, 'done');
    ordered.push(service);
  };
  for (const service of [...services].sort((a, b) => a.name.localeCompare(b.name))) visit(service);
  return ordered;
}

/** The functions that turn compose's JSON into the model: their text is part of a cached model's key. */
export const COMPOSE_PARSERS = [parseComposeConfig, orderByDependencies, portLabel, sendsToStore, replicasOf];

/** `docker compose config --format json`: the one source of service facts (this model, the backup's). */
export async function readComposeConfig(ctx: ComposeContext): Promise<string> {
  const out = await compose(ctx, ['config', '--format', 'json']).nothrow();
  if (out.exitCode !== 0) throw new OperationError(`the compose files are invalid: ${lastLine(out.stderr, 'no output')}`);
  return out.stdout;
}

/** The model of this context: read once, then from the cache until a compose file, .env or the context changes. */
export async function loadComposeModel(ctx: ComposeContext): Promise<ComposeModel> {
  return cachedComposeModel(ctx, COMPOSE_PARSERS, async () => parseComposeConfig(await readComposeConfig(ctx)));
}

/**
 * A hash of everything compose reads for `ctx` (files, .env, variables): equal keys mean compose
 * would resolve the same project. Undefined when the files pull in others it cannot see.
 */
export function composeInputsKey(ctx: ComposeContext): string | undefined {
  return modelKeyFor(ctx, COMPOSE_PARSERS);
}

/** The label by which the compose files name the service that plays a part for the kit (alertmanager, prometheus). */
export const ROLE_LABEL = 'galaxy.role';

/** The role of the service whose blackbox probes are the availability SLO's data (monitoring/README.md). */
export const PROBER_ROLE = 'prober';

/** The service labelled `galaxy.role: <role>`, if the compose files have one. */
export function serviceWithRole(model: ComposeModel, role: string): ServiceModel | undefined {
  return model.services.find((s) => s.labels[ROLE_LABEL] === role);
}

/** The proxies in front of a service: `galaxy.proxy.upstreams: a, b` on the proxy names a and b. */
export function proxiesOf(services: ServiceModel[], name: string): string[] {
  return services
    .filter((s) =>
      (s.labels['galaxy.proxy.upstreams'] ?? '')
        .split(',')
        .map((x) => x.trim())
        .includes(name),
    )
    .map((s) => s.name);
}

/** Resolves a service name given by a person; unknown names are refused with the valid list. */
export function requireService(model: ComposeModel, name: string | undefined): ServiceModel {
  const names = model.services.map((s) => s.name);
  if (!name) throw new UsageError(`name a service (service=NAME); one of: ${names.join(', ')}`);
  const service = model.services.find((s) => s.name === name);
  if (!service) throw new UsageError(`unknown service '${name}': use one of ${names.join(', ')}`);
  return service;
}
