// How a backup or restore stops the services of a stack and starts them again, and where its
// commands run: compose's own stop and up in compose mode; in swarm mode each service scaled to 0
// and back to the count it had (a task cannot be stopped on its own: Swarm would start another in
// its place), its commands sent to its task's container on this node (the stores are placed on the
// manager, where their volumes are) and its one-offs to a container of its task spec there.
import type { ComposeContext, ComposeModel } from '../compose.ts';
import { compose } from '../docker/client.ts';
import { listContainers, runningContainerByService } from '../docker/containers.ts';
import { localTaskContainers, oneOffSpecs, scaleServices, servicesStillRunning, stackServices } from '../docker/swarm-stack.ts';
import { OperationError } from '../errors.ts';
import { waitForReplicas } from '../swarm/deploy-stack.ts';
import { upAndWait } from '../wait.ts';

/** Seconds a stop or a start (healthy) may take. */
const STEP_SECONDS = 300;

export interface StoreLifecycle {
  /** Services with a running container (task). */
  running(): Promise<Set<string>>;
  stop(services: string[]): Promise<void>;
  /** Running and healthy; every service when `services` is empty. `alone`: not their dependencies. */
  start(services: string[], alone?: boolean): Promise<void>;
}

function composeLifecycle(ctx: ComposeContext, model: ComposeModel): StoreLifecycle {
  return {
    running: async () => new Set((await listContainers(ctx)).filter((c) => c.status === 'running').map((c) => c.service)),
    async stop(services) {
      if (services.length) await compose(ctx, ['stop', '--timeout', '20', ...services], { timeout: '120s' });
    },
    async start(services, alone = false) {
      await upAndWait(ctx, model, services, alone ? ['--no-deps'] : [], STEP_SECONDS);
      if (ctx.execTargets) ctx.execTargets.containers = await runningContainerByService(model.project);
    },
  };
}

/** Until no task of the services runs on any node: a writer stopping elsewhere may still write to a store. */
async function untilStopped(project: string, services: string[]): Promise<void> {
  const deadline = Date.now() + STEP_SECONDS * 1000;
  for (;;) {
    const left = await servicesStillRunning(project, services);
    if (left.length === 0) return;
    // Fail at once when something scaled it up again rather than after the whole wait.
    const again = (await stackServices(project)).filter((s) => left.includes(s.service) && s.desired > 0);
    if (again.length)
      throw new OperationError(
        `${again.map((s) => `${s.service} (${s.desired})`).join(', ')} was scaled up again while it was being stopped: an auto-scaler or a hand scale; stop it, then run the command again`,
      );
    if (Date.now() > deadline) throw new OperationError(`${left.join(', ')} still had a running task ${STEP_SECONDS}s after being scaled to 0`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function swarmLifecycle(ctx: ComposeContext, project: string): StoreLifecycle {
  // The count each service had before this command scaled it to 0, which its start gives back.
  const before = new Map<string, number>();
  return {
    running: async () => new Set((await stackServices(project)).filter((s) => s.running > 0).map((s) => s.service)),
    async stop(services) {
      if (!services.length) return;
      for (const s of await stackServices(project)) if (services.includes(s.service) && !before.has(s.service)) before.set(s.service, s.desired);
      await scaleServices(project, Object.fromEntries(services.map((s) => [s, 0])));
      await untilStopped(project, services);
    },
    async start(services) {
      const current = await stackServices(project);
      const names = services.length ? services : current.map((s) => s.service);
      const wanted = new Map(names.map((n) => [n, before.get(n) ?? current.find((s) => s.service === n)?.desired ?? 0]));
      // Only the ones this command scaled to 0 move; one at 0 before it (by hand) stays there.
      await scaleServices(project, Object.fromEntries(names.filter((n) => before.has(n)).map((n) => [n, wanted.get(n) as number])));
      await waitForReplicas(
        project,
        names.filter((n) => (wanted.get(n) as number) > 0),
        STEP_SECONDS,
      );
      for (const n of names) before.delete(n);
      // New tasks, new containers: the next exec must reach them.
      if (ctx.execTargets) ctx.execTargets.containers = await localTaskContainers(project);
    },
  };
}

/**
 * Sets where a backup's or restore's commands go (ctx.execTargets) and returns how it stops and
 * starts services, for the stack `ctx` runs as. In swarm mode the stack must be running.
 */
export async function storeLifecycle(ctx: ComposeContext, model: ComposeModel): Promise<StoreLifecycle> {
  if (ctx.target !== 'swarm') {
    ctx.execTargets = { containers: await runningContainerByService(model.project) };
    return composeLifecycle(ctx, model);
  }
  const oneOffs = await oneOffSpecs(model.project);
  if (Object.keys(oneOffs).length === 0)
    throw new OperationError(`no swarm stack ${model.project} runs on this machine: make start ARGS=--swarm first (its stores are restored into it)`);
  ctx.execTargets = { containers: await localTaskContainers(model.project), oneOffs };
  return swarmLifecycle(ctx, model.project);
}

/** In swarm mode, a store whose task runs on another node has its volume there: refused with where to run. */
export function requireOnThisNode(ctx: ComposeContext, stores: string[]): void {
  if (ctx.target !== 'swarm') return;
  const elsewhere = stores.filter((s) => !ctx.execTargets?.containers[s]);
  if (elsewhere.length)
    throw new OperationError(
      `${elsewhere.join(', ')} has no running task on this node, so its volume is not here: run the command on the node its task runs on (docker service ps), or start the stack so its stores run on this manager`,
    );
}
