// docker-compose.adopted.yml (pure text): one block per adopted service, layered by every command
// onto docker-compose.yml (scripts/lib/docker/client.ts composeFiles).
import path from 'node:path';
import { stringify } from 'yaml';
import { type BaseSystem, adoptedLogging, adoptedNetworks } from './base-system.ts';
import { FRONT_NAME, type FrontRoute, frontBlock, planFront } from './front.ts';
import { GENERATED, IMAGE_VARIABLE } from './render.ts';
import type { ServicePlan } from './types.ts';

/** Build and compose paths: relative to the project folder when inside it, else absolute. */
export interface ComposePaths {
  projectRoot: string;
  /** The adopted codebase. */
  src: string;
  /** The kit's services/probe folder (the healthcheck every built image carries). */
  probe: string;
  /** What the adopted services take from the system they join (its logging and monitoring networks). */
  base: BaseSystem;
}

const rel = (root: string, p: string) => {
  const r = path.relative(root, p);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? `./${r}` : p;
};

/**
 * What every service the kit generates gets (adopted ones, the bench's scale copies): a restart
 * policy, the stop grace, and the kit's least privilege (docs/SECURITY.md): no capabilities, no
 * setuid gain, a read-only root with a tmpfs on /tmp.
 */
export const GENERATED_SERVICE_BASE = {
  restart: 'unless-stopped',
  stop_grace_period: '20s',
  cap_drop: ['ALL'],
  security_opt: ['no-new-privileges:true'],
  read_only: true,
  tmpfs: ['/tmp'],
};

/**
 * The health timing of every service the kit generates, as docker-compose.yml's x-health-timing
 * (whose comment says why): every second while it starts, then every 30 s.
 */
export const GENERATED_HEALTH_TIMING = { interval: '30s', timeout: '10s', retries: 3, start_period: '60s', start_interval: '1s' };

function healthcheck(plan: ServicePlan): Record<string, unknown> | undefined {
  const timing = GENERATED_HEALTH_TIMING;
  if (plan.health.kind === 'http' && plan.port)
    return { test: ['CMD', '/usr/local/bin/healthcheck', String(plan.port.container), plan.health.path], ...timing };
  // A TCP connect over bash's /dev/tcp: every Debian-based image has bash, none needs a tool added.
  if (plan.health.kind === 'tcp' && plan.port) return { test: ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${plan.port.container}`], ...timing };
  return undefined;
}

function serviceBlock(plan: ServicePlan, paths: ComposePaths, byName: Map<string, ServicePlan>, front: FrontRoute[]): Record<string, unknown> {
  const own = path.join(paths.projectRoot, 'services', plan.name);
  const context = rel(paths.projectRoot, path.resolve(paths.src, plan.context));
  const build =
    plan.image === 'dockerfile'
      ? { context, dockerfile: path.resolve(paths.src, plan.dockerfile!) }
      : {
          context,
          dockerfile: path.join(own, 'Dockerfile'),
          additional_contexts: { probe: rel(paths.projectRoot, paths.probe), adopt: rel(paths.projectRoot, own) },
          args: { [IMAGE_VARIABLE[plan.image]]: `\${${IMAGE_VARIABLE[plan.image]}:?set ${IMAGE_VARIABLE[plan.image]} in .env}` },
          ...(plan.image === 'node' ? { secrets: ['host_ca'] } : {}),
        };
  const block: Record<string, unknown> = {
    build,
    image: `adopted/${plan.name}:\${${plan.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_VERSION:-latest}`,
    ...GENERATED_SERVICE_BASE,
    logging: adoptedLogging(paths.base),
  };
  if (Object.keys(plan.environment).length) block.environment = plan.environment;
  if (plan.volumes.length) block.volumes = plan.volumes.map((v) => `${v.name}:${v.target}`);
  // Behind the front: it holds the host port; the service is reached by name on the network.
  if (plan.port && front.some((r) => r.service === plan.name)) block.expose = [String(plan.port.container)];
  else if (plan.port) block.ports = [`127.0.0.1:\${${plan.port.hostVar}:?set ${plan.port.hostVar} in .env}:${plan.port.container}`];
  block.networks = adoptedNetworks(paths.base);
  if (plan.dependsOn.length)
    block.depends_on = Object.fromEntries(
      plan.dependsOn.map((d) => [d, { condition: byName.get(d)?.health.kind === 'none' ? 'service_started' : 'service_healthy' }]),
    );
  const check = healthcheck(plan);
  if (check) block.healthcheck = check;
  block.labels = plan.labels;
  block.deploy = { resources: { limits: { cpus: '0.5', memory: '256m', pids: 256 } } };
  return block;
}

/** Where the front's generated nginx.conf is written (and mounted from). */
export const frontConfPath = (projectRoot: string) => path.join(projectRoot, 'services', FRONT_NAME, 'nginx.conf');

export function renderComposeFile(plans: ServicePlan[], paths: ComposePaths): string {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const front = planFront(plans);
  const services = Object.fromEntries(plans.map((p) => [p.name, serviceBlock(p, paths, byName, front)]));
  if (front.length) services[FRONT_NAME] = frontBlock(front, rel(paths.projectRoot, frontConfPath(paths.projectRoot)), paths.base);
  const doc: Record<string, unknown> = {
    services,
    // Declared here too, so the file also stands on a system with no kit services (merged by compose).
    networks: Object.fromEntries(adoptedNetworks(paths.base).map((n) => [n, {}])),
  };
  const volumes = plans.flatMap((p) => p.volumes.map((v) => v.name));
  if (volumes.length) doc.volumes = Object.fromEntries(volumes.map((v) => [v, {}]));
  if (plans.some((p) => p.image === 'node')) doc.secrets = { host_ca: { file: '${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}' } };
  return [
    `# ${GENERATED}`,
    '# The adopted services (make adopt, docs/ADOPT.md). Every command reads this file after',
    '# docker-compose.yml when it exists; host ports come from .env.',
    // No anchors: the shared defaults are written out in each block, as a person would edit them.
    stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false }),
  ].join('\n');
}
