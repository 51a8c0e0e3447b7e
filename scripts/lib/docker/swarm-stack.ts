// Swarm stacks through the one Docker client: deploy and removal, services, tasks, rolling updates
// and logs (swarm.ts beside it has the swarm itself: membership, nodes, the cluster's containers).
import { OperationError } from '../errors.ts';
import { type OneOffSpec, docker } from './client.ts';
import { must } from './swarm.ts';

export const deployStack = (file: string, stack: string, withRegistryAuth = false) =>
  // --resolve-image never: images are named by digest (pushed) or exist on the manager only.
  // --with-registry-auth: an external registry's login (docker login on the manager) goes to the nodes.
  must(
    [
      'stack',
      'deploy',
      '--prune',
      '--resolve-image',
      'never',
      '--detach=true',
      ...(withRegistryAuth ? ['--with-registry-auth'] : []),
      '--compose-file',
      file,
      stack,
    ],
    'docker stack deploy',
    '300s',
  );
export const removeStack = (stack: string) => must(['stack', 'rm', stack], 'docker stack rm');

interface ServiceUpdate {
  /** The spec's version: it changes with every update of the service. */
  version: number;
  /** updating, completed, paused, rollback_started, rollback_paused, rollback_completed; '' before any update */
  state: string;
  message: string;
  startedAt?: Date;
}

export async function serviceUpdate(service: string): Promise<ServiceUpdate> {
  const out = await must(['service', 'inspect', service, '--format', '{{json .Version}} {{json .UpdateStatus}}'], 'docker service inspect', '30s');
  // Two JSON documents on one line; the first (the version) has no space in it.
  const gap = out.indexOf(' ');
  const [version, status] = [out.slice(0, gap), out.slice(gap + 1)].map((part) => JSON.parse(part || 'null'));
  const update = (status ?? {}) as { State?: string; Message?: string; StartedAt?: string };
  return {
    version: Number((version as { Index?: number } | null)?.Index ?? 0),
    state: update.State ?? '',
    message: update.Message ?? '',
    startedAt: update.StartedAt ? new Date(update.StartedAt) : undefined,
  };
}

/**
 * Waits for the update of a service that began at or after `since` (x-swarm's update_config: the
 * `monitor` time after the last task included); fails when Swarm paused it or rolled it back. The
 * status Swarm shows until it starts the update is the previous one's, hence `since`.
 */
export async function waitForUpdate(service: string, since: Date, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const update = await serviceUpdate(service);
    // Swarm's clock and this one are the same machine's; a second of slack for its rounding.
    const current = update.startedAt !== undefined && update.startedAt.getTime() >= since.getTime() - 1000;
    if (current && update.state === 'completed') return;
    if (current && update.state !== 'updating' && update.state !== 'rollback_started')
      throw new OperationError(
        `the update of ${service} did not complete: ${update.state} ${update.message}; docker service ps ${service} --no-trunc shows the failed task`,
      );
    if (Date.now() > deadline)
      throw new OperationError(`the update of ${service} had not completed after ${timeoutSeconds}s: ${update.state || 'not started'}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Every task of a service replaced, one at a time by its update settings (`update --force`); waits as waitForUpdate. */
export async function restartService(service: string, timeoutSeconds: number): Promise<void> {
  const since = new Date();
  await must(['service', 'update', '--force', '--detach', '--quiet', service], `the rolling restart of ${service}`);
  await waitForUpdate(service, since, timeoutSeconds);
}

/** Containers of a stack on this node, running or stopping. */
export async function stackContainers(stack: string): Promise<string[]> {
  const out = await must(['ps', '--quiet', '--filter', `label=com.docker.stack.namespace=${stack}`], 'docker ps', '30s');
  return out.split('\n').filter(Boolean);
}

export interface SwarmService {
  name: string;
  /** The compose service name (the stack's namespace taken off). */
  service: string;
  running: number;
  desired: number;
  image: string;
}

export async function stackServices(stack: string): Promise<SwarmService[]> {
  const out = await must(['service', 'ls', '--filter', `label=com.docker.stack.namespace=${stack}`, '--format', '{{json .}}'], 'docker service ls', '30s');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { Name: string; Replicas: string; Image: string })
    .map((s) => {
      const [running, desired] = s.Replicas.split(' ')[0].split('/').map(Number);
      return { name: s.Name, service: s.Name.slice(stack.length + 1), running, desired, image: s.Image };
    });
}

export interface SwarmTask {
  service: string;
  node: string;
  state: string;
  error: string;
}

/** The tasks that should be running (desired state running), with the node each is on. */
export async function runningTasks(stack: string): Promise<SwarmTask[]> {
  const out = await must(
    ['stack', 'ps', stack, '--filter', 'desired-state=running', '--no-trunc', '--format', '{{.Name}}\t{{.Node}}\t{{.CurrentState}}\t{{.Error}}'],
    'docker stack ps',
    '30s',
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, node, state, error] = line.split('\t');
      return { service: name.slice(stack.length + 1).replace(/\.\d+$/, ''), node, state, error: error ?? '' };
    });
}

export interface ServiceLogsOptions {
  /** Lines per task from the end: a number or 'all'. */
  tail: string;
  follow: boolean;
  /** An RFC 3339 time: no older line is sent. */
  since?: string;
}

/** How long a read of a service's logs (not a follow) may take: Docker streams about a thousand lines a second on this machine. */
export const SERVICE_LOGS_READ_LIMIT = '300s';

/**
 * `docker service logs` of one service, read line by line by the caller (`for await`). Every line
 * starts with Docker's RFC 3339 time (--timestamps): the command has no --until, so the caller
 * filters by that time itself. Task ids are left out: slot and node name a task well enough. A
 * follow runs until it is stopped, so it has no time limit.
 */
export function serviceLogs(service: string, options: ServiceLogsOptions) {
  const args = ['service', 'logs', '--timestamps', '--no-task-ids', '--tail', options.tail];
  if (options.follow) args.push('--follow');
  if (options.since) args.push('--since', options.since);
  // SIGKILL at the limit: the CLI exits with a code of its own on SIGTERM, and the caller tells a
  // read that ran out of time from a failed one by the signal.
  return docker([...args, service], 0)
    .timeout(options.follow ? 0 : SERVICE_LOGS_READ_LIMIT, 'SIGKILL')
    .nothrow();
}

/**
 * What each service of a stack runs (its task template and published ports, as JSON) by service
 * name: a change there is what makes Swarm roll a service's tasks. Not the placement: a task whose
 * node still meets the new one keeps running (swarmkit's IsTaskDirty), nor the replica count.
 */
export async function serviceTemplates(stack: string): Promise<Map<string, string>> {
  const ids = (await must(['service', 'ls', '--quiet', '--filter', `label=com.docker.stack.namespace=${stack}`], 'docker service ls', '30s'))
    .split('\n')
    .filter(Boolean);
  if (ids.length === 0) return new Map();
  const out = await must(
    [
      'service',
      'inspect',
      '--format',
      `{{.Spec.Name}}\t${['ContainerSpec', 'Resources', 'RestartPolicy', 'Networks', 'LogDriver'].map((key) => `{{json .Spec.TaskTemplate.${key}}}`).join('')}{{json .Spec.EndpointSpec}}`,
      ...ids,
    ],
    'docker service inspect',
    '30s',
  );
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t', 2) as [string, string]),
  );
}

/** The running task containers of a stack on this node, by compose service name (its label). */
export async function localTaskContainers(stack: string): Promise<Record<string, string>> {
  const out = await must(
    ['ps', '--filter', `label=com.docker.stack.namespace=${stack}`, '--format', '{{.ID}}\t{{.Label "com.docker.compose.service"}}'],
    'docker ps',
    '30s',
  );
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'))
      .filter(([, service]) => service)
      .map(([id, service]) => [service, id]),
  );
}

/** Each service's task spec as a one-off container needs it (image, user, named volumes), by compose service name. */
export async function oneOffSpecs(stack: string): Promise<Record<string, OneOffSpec>> {
  const ids = (await must(['service', 'ls', '--quiet', '--filter', `label=com.docker.stack.namespace=${stack}`], 'docker service ls', '30s'))
    .split('\n')
    .filter(Boolean);
  if (ids.length === 0) return {};
  const out = await must(['service', 'inspect', '--format', '{{json .Spec}}', ...ids], 'docker service inspect', '30s');
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const spec = JSON.parse(line) as {
          Name: string;
          TaskTemplate: { ContainerSpec: { Image: string; User?: string; Mounts?: Array<{ Type?: string; Source?: string; Target?: string }> } };
        };
        const container = spec.TaskTemplate.ContainerSpec;
        const mounts = (container.Mounts ?? [])
          .filter((m) => m.Type === 'volume' && m.Source && m.Target)
          .map((m) => ({ source: m.Source as string, target: m.Target as string }));
        return [spec.Name.slice(stack.length + 1), { image: container.Image, user: container.User ?? '', mounts }];
      }),
  );
}

/**
 * `docker service scale` of services of a stack to the given counts, not waited for: the CLI's own
 * wait goes service by service, each with seconds of checks that the count is stable.
 */
export async function scaleServices(stack: string, counts: Record<string, number>): Promise<void> {
  const pairs = Object.entries(counts).map(([service, n]) => `${stack}_${service}=${n}`);
  if (pairs.length) await must(['service', 'scale', '--detach', ...pairs], `docker service scale ${pairs.join(' ')}`, '60s');
}

/** States of a task whose container may still run (docker stack ps's CURRENT STATE, first word). */
const ALIVE_STATES = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']);

/** Pure: the services (compose names) with a task that may still run, from `docker stack ps` lines "name<TAB>current state". */
export function servicesWithLiveTasks(stack: string, lines: string, services: string[]): string[] {
  const alive = lines
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .filter(([, state]) => ALIVE_STATES.has((state ?? '').split(' ')[0].toLowerCase()))
    // "stack_svc.1" (a slot) or "stack_svc.<node id>" (global); the table marks older tasks "\_ ".
    .map(([name]) =>
      name
        .replace(/^\\_ /, '')
        .slice(stack.length + 1)
        .replace(/\.[a-z0-9]+$/, ''),
    );
  return services.filter((s) => alive.includes(s));
}

/** The services of `services` with a task on any node that may still run (starting, running or stopping). */
export async function servicesStillRunning(stack: string, services: string[]): Promise<string[]> {
  const out = await must(['stack', 'ps', stack, '--no-trunc', '--format', '{{.Name}}\t{{.CurrentState}}'], 'docker stack ps', '30s');
  return servicesWithLiveTasks(stack, out, services);
}
