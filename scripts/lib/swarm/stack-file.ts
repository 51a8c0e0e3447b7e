// The stack file a Swarm stack deploy gets (pure, unit-tested): the output of docker compose
// config --format json, so .env interpolation and the dev/prod layering mean the same in both
// modes, translated to what Swarm runs. The compose files stay the one source; nothing here names
// a service. Why each change is needed is in docs/SCALING.md.
import { durationSeconds } from '../duration.ts';
import { UsageError } from '../errors.ts';
import { autoscaled } from './autoscale.ts';

/** The label by which a service leaves swarm mode out, with the reason as its value. */
export const SWARM_SKIP_LABEL = 'galaxy.swarm.skip';

/** The compose profile of the services only swarm mode runs (the auto-scaler): make start ARGS=--swarm enables it. */
export const SWARM_PROFILE = 'swarm';

/** Settings of a swarm deploy that a service may not name itself: the top-level `x-swarm` block of the compose files. */
export interface SwarmDefaults {
  update_config?: Record<string, unknown>;
  rollback_config?: Record<string, unknown>;
  restart_policy?: Record<string, unknown>;
  /** The longest a task's checks may be apart in the stack (a Go duration as compose prints it: `10s`, `1m30s`). */
  health_interval?: string;
}

export interface StackInput {
  /** The output of compose config (JSON), parsed. */
  config: ComposeConfig;
  /** Image references by service for the services that may run on any node (pushed to the kit's registry). */
  pushedImages: Record<string, string>;
  /**
   * Image ids by service for the kit-built services that run on the manager from its own images: a
   * rebuilt image under the same tag is then a changed spec, which Swarm rolls out (a tag is not).
   */
  localImages?: Record<string, string>;
  /** Replica counts from .env (<SERVICE>_REPLICAS), by service. */
  replicas: Record<string, number>;
}

export interface StackFile {
  stack: Record<string, unknown>;
  /** One line per compose setting Swarm cannot honour, for the operator. */
  notes: string[];
  /** Services left out, with the reason their label gives. */
  skipped: Record<string, string>;
}

type Obj = Record<string, unknown>;

export interface ComposeConfig {
  name?: string;
  services: Record<string, Obj>;
  networks?: Record<string, Obj>;
  volumes?: Record<string, Obj>;
  secrets?: Record<string, Obj>;
  configs?: Record<string, Obj>;
  [extension: string]: unknown;
}

// Service settings Swarm runs as compose does. Everything else is left out with a note: `build`
// (images come from the registry), `depends_on` (Swarm starts all at once; health gates replace
// the order), `restart` (deploy.restart_policy), `security_opt` and `group_add` (not in the
// Swarm API of Docker 26), `container_name` and `profiles` (already applied by compose config).
const KEPT = new Set([
  'cap_add',
  'cap_drop',
  'command',
  'configs',
  'deploy',
  'entrypoint',
  'environment',
  'healthcheck',
  'hostname',
  'image',
  'init',
  'labels',
  'logging',
  'networks',
  'ports',
  'read_only',
  'secrets',
  'stop_grace_period',
  'stop_signal',
  'sysctls',
  'ulimits',
  'user',
  'volumes',
  'working_dir',
]);
const SILENTLY_DROPPED = new Set(['build', 'depends_on', 'restart', 'container_name', 'profiles', 'pull_policy', 'tmpfs']);

/** A service that keeps files on its node (a named volume or a host folder) runs where they are: on the manager. */
export function holdsLocalState(service: Obj): boolean {
  const volumes = (service.volumes as Obj[] | undefined) ?? [];
  return volumes.some((v) => v.type === 'volume' || v.type === 'bind');
}

function tmpfsMounts(service: Obj): Obj[] {
  const tmpfs = service.tmpfs;
  const paths = Array.isArray(tmpfs) ? (tmpfs as string[]) : typeof tmpfs === 'string' ? [tmpfs] : [];
  // Swarm's tmpfs takes no uid/gid (nor, in Docker 26's stack loader, a mode): the mount takes the
  // owner and mode of the image's folder at that path, so an image that needs it writable owns it.
  return paths.map((p) => ({ type: 'tmpfs', target: p.split(':')[0] }));
}

function ports(service: Obj): Obj[] {
  // Host mode: this machine's kernel has no IPVS, which Swarm's routing mesh needs, and a host-mode
  // port is also the only kind that does not listen on every node.
  return ((service.ports as Obj[] | undefined) ?? []).map((p) => ({
    mode: 'host',
    target: p.target,
    published: Number(p.published),
    protocol: p.protocol ?? 'tcp',
  }));
}

/** The stack schema wants cpus and memory as strings; compose config gives numbers. */
function resources(deploy: Obj): Obj | undefined {
  const res = deploy.resources as Record<string, Obj | undefined> | undefined;
  if (!res) return undefined;
  const asText = (r: Obj | undefined) => r && Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'cpus' || k === 'memory' ? String(v) : v]));
  return { ...res, limits: asText(res.limits), reservations: asText(res.reservations) };
}

/** x-swarm's health_interval, checked: a Go duration as compose prints it. */
function longestHealthInterval(defaults: SwarmDefaults): { text: string; seconds: number } | undefined {
  if (defaults.health_interval === undefined) return undefined;
  const seconds = durationSeconds(String(defaults.health_interval));
  if (seconds === undefined) throw new UsageError(`the compose files' x-swarm has health_interval: ${defaults.health_interval}: give a duration such as 10s`);
  return { text: String(defaults.health_interval), seconds };
}

function healthcheck(service: Obj, longest: { text: string; seconds: number } | undefined): Obj | undefined {
  const check = service.healthcheck as Obj | undefined;
  if (!check) return undefined;
  // start_interval is not in the stack file schema of Docker 26's CLI: readiness then waits for
  // the first `interval`, so x-swarm's health_interval bounds it (docker-compose.yml says why).
  const { start_interval: _dropped, ...rest } = check;
  const disabled = rest.disable === true || (rest.test as string[] | undefined)?.[0] === 'NONE';
  // No interval named: Docker's default, 30 s.
  const interval = durationSeconds(String(rest.interval ?? '30s'));
  return longest && !disabled && (interval === undefined || interval > longest.seconds) ? { ...rest, interval: longest.text } : rest;
}

/** Labels without the auto-scaler's policy (galaxy.autoscale.*): those of a service's containers. */
function withoutPolicy(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith('galaxy.autoscale.')));
}

export function stackFile(input: StackInput, defaults: SwarmDefaults): StackFile {
  const notes: string[] = [];
  const skipped: Record<string, string> = {};
  const services: Record<string, Obj> = {};
  // One note per setting, naming its services: every service has security_opt, say, and one line does.
  const unsupported = new Map<string, string[]>();
  const longestInterval = longestHealthInterval(defaults);
  for (const [name, service] of Object.entries(input.config.services)) {
    const labels = (service.labels as Record<string, string> | undefined) ?? {};
    if (labels[SWARM_SKIP_LABEL]) {
      skipped[name] = labels[SWARM_SKIP_LABEL];
      continue;
    }
    const out: Obj = {};
    for (const [key, value] of Object.entries(service)) {
      if (value === null) continue;
      if (KEPT.has(key)) out[key] = value;
      else if (!SILENTLY_DROPPED.has(key)) unsupported.set(key, [...(unsupported.get(key) ?? []), name]);
    }
    // The compose label the kit's log tag and container look-ups read, on the service's containers.
    // The auto-scaler's policy stays on the service only (it reads the service's labels): its floor
    // is <SERVICE>_REPLICAS, which make scale writes, and a changed container label replaces every
    // task, stop-first with a host port, so scaling 3 to 1 left the service without a task.
    out.labels = { ...withoutPolicy(labels), 'com.docker.compose.service': name };
    const mounts = [...((service.volumes as Obj[] | undefined) ?? []), ...tmpfsMounts(service)];
    if (mounts.length) out.volumes = mounts;
    if (service.ports) out.ports = ports(service);
    const check = healthcheck(service, longestInterval);
    if (check) out.healthcheck = check;
    const local = holdsLocalState(service);
    const pushed = input.pushedImages[name];
    if (pushed && !local) out.image = pushed;
    else if (input.localImages?.[name]) out.image = input.localImages[name];
    const replicas = local ? 1 : (input.replicas[name] ?? 1);
    if (local && (input.replicas[name] ?? 1) > 1) notes.push(`${name}: holds local state, so it keeps 1 replica`);
    const hasPorts = ((out.ports as Obj[] | undefined) ?? []).length > 0;
    // One replica with published ports stays on this machine, where 127.0.0.1 reaches it; more
    // replicas spread out, one per node, as a host-mode port allows. So does an auto-scaled service
    // at one replica: the auto-scaler changes only its count, and a manager-only task has no room
    // for a second one there.
    const onManager = local || !pushed || (hasPorts && replicas === 1 && !autoscaled(service));
    const deploy = (service.deploy as Obj | undefined) ?? {};
    const placement = (deploy.placement as Obj | undefined) ?? {};
    // Stop-first, whatever was asked, where two tasks on one node cannot run side by side: two
    // tasks of a store would both write its volume, and a host-mode port has room for one task.
    const stopFirst = local || hasPorts;
    out.deploy = {
      ...deploy,
      resources: resources(deploy),
      mode: 'replicated',
      replicas,
      // DNS round robin, not a virtual IP: the VIP is IPVS too, and the edge re-resolves names already.
      endpoint_mode: 'dnsrr',
      update_config: { ...defaults.update_config, ...(deploy.update_config as Obj | undefined), ...(stopFirst ? { order: 'stop-first' } : {}) },
      rollback_config: { ...defaults.rollback_config, ...(deploy.rollback_config as Obj | undefined), ...(stopFirst ? { order: 'stop-first' } : {}) },
      restart_policy: { ...defaults.restart_policy, ...(deploy.restart_policy as Obj | undefined) },
      labels: { ...labels },
      placement: {
        ...placement,
        // A service's own constraints stay; the manager is added where its files or port are.
        constraints: [...((placement.constraints as string[] | undefined) ?? []), ...(onManager ? ['node.role == manager'] : [])],
        ...(hasPorts && !onManager ? { max_replicas_per_node: 1 } : {}),
      },
    };
    services[name] = out;
  }
  for (const [key, names] of unsupported) notes.unshift(`${key} is not available in swarm mode, left out for ${names.join(', ')}`);
  const networks = Object.fromEntries(
    Object.entries(input.config.networks ?? {}).map(([name, net]) => [name, { ...net, driver: 'overlay', attachable: true, ipam: undefined }]),
  );
  const stack: Record<string, unknown> = {
    version: '3.9',
    services,
    networks,
    volumes: input.config.volumes ?? {},
    secrets: input.config.secrets ?? {},
    configs: input.config.configs ?? {},
  };
  return { stack: JSON.parse(JSON.stringify(stack)), notes, skipped };
}
