// Swarm mode's start (make start ARGS=--swarm, or DEPLOY_TARGET=swarm in .env): the compose files'
// resolved config deployed as a Swarm stack (docker stack deploy), then a wait until every service has its
// desired replicas running. Swarm counts a task as running only once its healthcheck passed.
import { existsSync, readFileSync } from 'node:fs';
import type { ComposeContext, ComposeModel } from '../compose.ts';
import { readComposeConfig } from '../compose.ts';
import { listContainers } from '../docker/containers.ts';
import { inspectImages } from '../docker/images.ts';
import { containersLabelled, removeVolume, swarmMembership, swarmNodes } from '../docker/swarm.ts';
import {
  deployStack,
  waitForUpdate,
  restartService,
  serviceTemplates,
  removeStack,
  stackContainers,
  runningTasks,
  stackServices,
} from '../docker/swarm-stack.ts';
import { setEnvValues, writeFileAtomic } from '../env.ts';
import { OperationError, UsageError } from '../errors.ts';
import { envFile } from '../paths.ts';
import { LiveStatus, formatDuration, info, warn } from '../output.ts';
import { projectFiles } from '../state/files.ts';
import { localRegistry, pushToRegistry } from './registry.ts';
import { externalRegistry, registryPort, replicaCounts, replicasVariable } from './settings.ts';
import { AUTOSCALE_MAX_LABEL, autoscaled } from './autoscale.ts';
import { type ComposeConfig, SWARM_SKIP_LABEL, type SwarmDefaults, holdsLocalState, stackFile } from './stack-file.ts';

export async function requireManager(): Promise<void> {
  const swarm = await swarmMembership();
  if (swarm.state !== 'active' || !swarm.manager)
    throw new OperationError(
      'swarm mode needs this engine to be a swarm manager: make cluster NODES=3 (a cluster on this machine), or docker swarm init; DEPLOY_TARGET=compose in .env goes back to compose',
    );
}

export async function waitForReplicas(project: string, services: string[], timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const live = new LiveStatus();
  for (;;) {
    const state = (await stackServices(project)).filter((s) => services.includes(s.service));
    // Exactly the desired count: after a scale-down the extra tasks are still stopping for a while.
    const waiting = state.filter((s) => s.running !== s.desired || s.desired === 0);
    live.update(state.map((s) => [s.service, `  ${s.service.padEnd(20)} ${s.running}/${s.desired} replicas`]));
    if (waiting.length === 0 && state.length === services.length) return;
    if (Date.now() > deadline) {
      const tasks = await runningTasks(project);
      const why = waiting.map((s) => {
        const errors = [...new Set(tasks.filter((t) => t.service === s.service && t.error).map((t) => t.error))];
        return `${s.service} ${s.running}/${s.desired}${errors.length ? ` (${errors.join('; ')})` : ''}`;
      });
      throw new OperationError(`not every service had its replicas after ${timeoutSeconds}s: ${why.join(', ')} (docker stack ps ${project} shows each task)`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * The stack file from the compose config of `ctx` (its env pins the deployed versions), with the
 * images of services that may run anywhere pushed to the cluster's registry, deployed by `docker
 * stack deploy`, which changes only the services whose spec differs. Returns the services it runs.
 */
async function deployFromCompose(
  ctx: ComposeContext,
  project: string,
  quiet = false,
  scaledByHand?: string,
): Promise<{ services: string[]; rolling: string[]; since: Date }> {
  const config = JSON.parse(await readComposeConfig(ctx)) as ComposeConfig;
  const defaults = (config['x-swarm'] ?? {}) as SwarmDefaults;
  // Without a registry (a one-node swarm) every service runs on this manager from its local images.
  // REGISTRY in .env (docs/SCALING.md), else the cluster's own registry when make cluster made one.
  const external = externalRegistry();
  const where = external ?? localRegistry(registryPort());
  const registry = external !== undefined || (await containersLabelled(`galaxy.registry=${project}`)).length > 0;
  const movable = Object.entries(config.services).filter(([, s]) => !holdsLocalState(s) && typeof s.image === 'string');
  let pushedImages: Record<string, string> = {};
  if (registry && movable.length) {
    const images = [...new Set(movable.map(([, s]) => String(s.image)))];
    info(`swarm: pushing ${images.length} image(s) to ${external ? 'the registry' : "the cluster's registry"} (${where}); layers it has are not sent again`);
    const pinned = await pushToRegistry(images, where);
    pushedImages = Object.fromEntries(movable.map(([name, s]) => [name, pinned[String(s.image)]]));
  } else if (!registry) warn(`swarm: no cluster registry of ${project} (make cluster): every service runs on this manager`);

  const built = Object.entries(config.services).filter(([name, s]) => s.build && !pushedImages[name] && typeof s.image === 'string');
  const facts = built.length ? await inspectImages(built.map(([, s]) => String(s.image))) : [];
  const localImages = Object.fromEntries(
    built.flatMap(([name, s]) => facts.filter((f) => f.RepoTags?.includes(String(s.image))).map((f) => [name, f.Id] as [string, string])),
  );
  const counts = replicaCounts(Object.keys(config.services));
  // An auto-scaled service keeps the count the auto-scaler gave it (never fewer than .env's, its
  // floor): a deploy that reset it would take away the replicas the load needs right then.
  for (const running of await stackServices(project))
    if (running.service !== scaledByHand && autoscaled(config.services[running.service]))
      counts[running.service] = Math.max(running.desired, counts[running.service] ?? 1);
  const file = stackFile({ config, pushedImages, localImages, replicas: counts }, defaults);
  if (!quiet) {
    for (const note of file.notes) info(`swarm: ${note}`);
    for (const [service, reason] of Object.entries(file.skipped)) info(`swarm: ${service} is left out: ${reason}`);
  }
  const stackPath = projectFiles(project).swarmStack;
  writeFileAtomic(stackPath, `${JSON.stringify(file.stack, null, 2)}\n`);
  const services = Object.keys(file.stack.services as object);
  info(`swarm: docker stack deploy of ${services.length} services as stack ${project}`);
  const before = await serviceTemplates(project);
  const since = new Date();
  await deployStack(stackPath, project, external !== undefined);
  const after = await serviceTemplates(project);
  const rolling = [...after].filter(([name, template]) => before.has(name) && before.get(name) !== template).map(([name]) => name);
  return { services, rolling, since };
}

/** Waits for Swarm's rolling update of each service whose tasks a deploy changed (each new task healthy first). */
async function waitForRolls(rolled: Awaited<ReturnType<typeof deployFromCompose>>, timeoutSeconds: number): Promise<void> {
  if (rolled.rolling.length) info(`swarm: rolling ${rolled.rolling.length} changed service(s): ${rolled.rolling.join(', ')}`);
  await Promise.all(rolled.rolling.map((name) => waitForUpdate(name, rolled.since, timeoutSeconds)));
}

export async function startOnSwarm(ctx: ComposeContext, model: ComposeModel, timeoutSeconds: number): Promise<void> {
  const started = Date.now();
  await requireManager();
  if ((await listContainers(ctx)).some((c) => c.status === 'running'))
    throw new OperationError(
      `${model.project} runs in compose mode on this machine: make stop first, then make start ARGS=--swarm (the data volumes are kept)`,
    );
  const deployed = await deployFromCompose(ctx, model.project);
  // A changed service still shows its old tasks running until Swarm replaced them: its update first.
  await waitForRolls(deployed, timeoutSeconds);
  await waitForReplicas(model.project, deployed.services, timeoutSeconds);
  info(`swarm: every service of ${model.project} has its replicas running and healthy in ${formatDuration((Date.now() - started) / 1000)}`);
}

/** A compose start while the project still runs as a swarm stack would meet its ports and volumes: refused. */
export async function refuseWhileSwarmStack(project: string): Promise<void> {
  const swarm = await swarmMembership();
  if (swarm.state === 'active' && swarm.manager && (await stackServices(project)).length > 0)
    throw new OperationError(
      `${project} runs as a swarm stack on this machine: make stop first (it removes the stack; the data volumes are kept), then make start`,
    );
}

/** The volumes the last swarm start declared (its stack file), by the names Docker gave them. */
export function stackVolumeNames(project: string): string[] {
  const file = projectFiles(project).swarmStack;
  if (!existsSync(file)) return [];
  const volumes = ((JSON.parse(readFileSync(file, 'utf8')) as { volumes?: Record<string, { name?: string }> }).volumes ?? {}) as Record<
    string,
    { name?: string }
  >;
  return Object.entries(volumes).map(([key, v]) => v.name ?? `${project}_${key}`);
}

/** `make stop` in swarm mode: the stack removed and gone from this node; volumes kept unless asked. */
export async function stopOnSwarm(project: string, volumes: string[]): Promise<void> {
  await requireManager();
  await removeStack(project);
  // `stack rm` returns before the tasks have stopped; a start or a volume removal right after would meet them.
  const deadline = Date.now() + 120_000;
  while ((await stackServices(project)).length > 0 || (await stackContainers(project)).length > 0) {
    if (Date.now() > deadline)
      throw new OperationError(`stack ${project} was removed but its containers still run after 120 s: docker stack ps ${project} shows them`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const volume of volumes) await removeVolume(volume);
}

async function requireStackService(project: string, service: string): Promise<void> {
  await requireManager();
  if (!(await stackServices(project)).some((s) => s.service === service))
    throw new OperationError(`${service} is not in stack ${project} (left out of swarm mode, or the stack is not started): make health lists what runs`);
}

/** `make restart` in swarm mode: Swarm's own rolling replacement of every task (update --force), health-gated. */
export async function restartOnSwarm(project: string, service: string, timeoutSeconds: number): Promise<void> {
  await requireStackService(project, service);
  await restartService(`${project}_${service}`, timeoutSeconds);
}

/**
 * `make deploy` / `make rollback` in swarm mode: the stack deployed again from the compose config
 * with the service's new version pinned (`ctx.env`, as compose mode starts it), so its image and
 * APP_VERSION change together. Swarm rolls the service by x-swarm's update_config and rolls it
 * back when a new task fails its health gate.
 */
export async function moveOnSwarm(ctx: ComposeContext, project: string, service: string, timeoutSeconds: number): Promise<void> {
  await requireStackService(project, service);
  const name = `${project}_${service}`;
  const rolled = await deployFromCompose(ctx, project, true);
  // Swarm rolls a service only when its task template changed; a replica count (the auto-scaler's)
  // changes the spec, not the template. An unchanged template is the version it runs already,
  // deployed with --force: replaced task by task as a restart is, as compose mode does.
  if (!rolled.rolling.includes(name)) return restartService(name, timeoutSeconds);
  await waitForUpdate(name, rolled.since, timeoutSeconds);
}

/** Pure: why `replicas` cannot be given to a service in swarm mode, or undefined when it can. */
export function scaleRefusal(service: string, config: ComposeConfig, replicas: number, nodes: number): string | undefined {
  const spec = config.services[service];
  if (!spec) return `${service} is not a service of the compose files: make health lists them`;
  if ((spec.labels as Record<string, string> | undefined)?.[SWARM_SKIP_LABEL]) return `${service} does not run in swarm mode (galaxy.swarm.skip)`;
  if (holdsLocalState(spec) && replicas !== 1)
    return `${service} keeps local state (a volume or a host folder): two replicas would each have their own copy; it runs one`;
  const most = Number((spec.labels as Record<string, string> | undefined)?.[AUTOSCALE_MAX_LABEL]);
  if (autoscaled(spec) && replicas > most)
    return `${service} is auto-scaled up to ${most} replicas (${AUTOSCALE_MAX_LABEL}), and ${replicasVariable(service)} is its floor: raise the policy's max first (docs/SCALING.md)`;
  const ports = ((spec.ports as unknown[] | undefined) ?? []).length;
  if (ports && replicas > nodes)
    return `${service} publishes a port, which one task per node can hold, and the swarm has ${nodes} node(s): at most ${nodes} replicas (make cluster NODES=${replicas} adds nodes)`;
  return undefined;
}

/**
 * `make scale` in swarm mode: the count goes to .env (<SERVICE>_REPLICAS) first, so a later start
 * keeps it, then the stack is deployed again from the compose config and the service waited for.
 */
export async function scaleOnSwarm(ctx: ComposeContext, project: string, service: string, replicas: number, timeoutSeconds: number): Promise<void> {
  await requireManager();
  const config = JSON.parse(await readComposeConfig(ctx)) as ComposeConfig;
  const nodes = (await swarmNodes()).filter((n) => n.status === 'ready' && n.availability === 'active').length;
  const refusal = scaleRefusal(service, config, replicas, nodes);
  if (refusal) throw new UsageError(refusal);
  setEnvValues(envFile, { [replicasVariable(service)]: String(replicas) });
  await deployFromCompose(ctx, project, true, service);
  await waitForReplicas(project, [service], timeoutSeconds);
}
