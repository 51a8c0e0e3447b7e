// What deploy.ts and rollback.ts share: their command definitions, and "move one service to a version and
// record it" (build for deploys, an existing image for rollbacks).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { CommandSpec, OptionSpec, Parsed } from '../command/define.ts';
import { type ComposeContext, type ComposeModel, loadComposeModel } from '../compose.ts';
import { compose } from '../docker/client.ts';
import { type ContainerInfo, serviceContainers, serviceSetContainers } from '../docker/containers.ts';
import { missingImages } from '../docker/images.ts';
import { OperationError, UsageError, failureOf, processFailure } from '../errors.ts';
import { info } from '../output.ts';
import { currentStack } from '../stack.ts';
import { moveOnSwarm } from '../swarm/deploy-stack.ts';
import type { DeployTarget } from '../swarm/settings.ts';
import { type DeployStep, deployWaves } from './plan.ts';
import { recreate, rollingReplaceAll } from './rollout.ts';
import { appendHistory, readState, versionEnv, writeState } from './state.ts';
import { imageName, tagOf, versionVariable } from './version.ts';

export interface CommandOptions {
  service?: string;
  timeoutSeconds: number;
  switchTimeoutSeconds: number;
  graceSeconds: number;
  overrides: string[];
  force: boolean;
  /** Build every layer again instead of reusing the build cache (deploys only). */
  noCache: boolean;
}

export const replacementOptions = {
  timeout: { type: 'string', value: 'SECONDS', default: '120', help: 'how long a new container may take to become healthy' },
  'switch-timeout': { type: 'string', value: 'SECONDS', default: '30', help: 'how long the proxies in front may take to be seen using the new container' },
  grace: { type: 'string', value: 'SECONDS', default: '20', help: 'upper bound for the old container to finish its in-flight requests' },
} as const satisfies Record<string, OptionSpec>;

export const deployCommand = {
  name: 'deploy.sh',
  summary:
    'Build the working tree as the service image tagged with the commit and replace the running version without dropping a request; every stateless service when none is named.',
  positionals: { name: 'SERVICE', max: 1, help: 'one service with a build: section (default: every rolling service, dependencies first)' },
  options: {
    ...replacementOptions,
    override: { type: 'string', value: 'COMPOSE_FILE', multiple: true, help: 'an extra compose file layered onto the new containers only (repeatable)' },
    force: { type: 'boolean', help: 'replace even when the service already runs this version' },
    'no-cache': { type: 'boolean', help: 'build every image layer again' },
  },
  examples: ['make deploy service=api', 'make deploy', './scripts/deploy.sh api --force --no-cache'],
  locks: true,
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

export const rollbackCommand = {
  name: 'rollback.sh',
  summary: 'Return to the version recorded before the current one, replaced the same way as a deploy.',
  positionals: { name: 'SERVICE', max: 1, help: 'one service (default: every stateless service with an earlier recorded version)' },
  options: replacementOptions,
  examples: ['make rollback service=api', 'make rollback'],
  locks: true,
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

/** A replacement option's value in seconds, checked (bad values: exit 2). */
export function wholeSeconds(values: Record<string, unknown>, name: keyof typeof replacementOptions, min = 1): number {
  const raw = String(values[name]);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min) throw new UsageError(`--${name} must be a whole number of seconds >= ${min}, not '${raw}'`);
  return value;
}

/** The validated options of a parsed deploy or rollback command line (bad values: exit 2). */
export function commandOptions(parsed: Parsed<Record<string, OptionSpec>>): CommandOptions {
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const seconds = (name: 'timeout' | 'switch-timeout' | 'grace', min: number) => wholeSeconds(values, name, min);
  const overrides = ((values.override as string[] | undefined) ?? []).map((f) => path.resolve(f));
  for (const file of overrides) if (!existsSync(file)) throw new UsageError(`--override file ${file} does not exist`);
  return {
    service: parsed.positionals[0] || undefined,
    timeoutSeconds: seconds('timeout', 1),
    switchTimeoutSeconds: seconds('switch-timeout', 1),
    graceSeconds: seconds('grace', 1),
    overrides,
    force: Boolean(values.force),
    noCache: Boolean(values['no-cache']),
  };
}

export interface Session {
  ctx: ComposeContext;
  model: ComposeModel;
  project: string;
  /** Where the stack runs (make start chose it): compose here, or a swarm (docs/SCALING.md). */
  target: DeployTarget;
}

/** Opens the stack (the project lock is already held: deploy and rollback are declared with `locks`). */
export async function openSession(): Promise<Session> {
  const { ctx, target } = await currentStack();
  const model = await loadComposeModel(ctx);
  return { ctx, model, project: model.project, target };
}

/**
 * The version the service runs now: the tag of its running container, else the recorded one.
 * `listed`: the project's containers read once for every service of a deploy (allProjectContainers).
 */
export async function runningVersion(session: Session, service: string, listed?: ContainerInfo[]): Promise<string> {
  const own = listed ? listed.filter((c) => c.service === service) : await serviceContainers(session.project, service);
  const running = own.filter((c) => c.status === 'running');
  if (running.length) return tagOf(running[running.length - 1].image);
  return readState(session.project).services[service]?.version ?? 'latest';
}

/** The service's image at a version: the repository its compose `image:` names, tagged with the version. */
export function imageOf(session: Pick<Session, 'model'>, service: string, version: string): string {
  const configured = session.model.services.find((s) => s.name === service)?.image;
  if (!configured)
    throw new UsageError(
      `${service} has no image: in the compose files: name one (e.g. image: myapp/${service}:\${${versionVariable(service)}:-latest}) so deploy can tag its builds`,
    );
  return imageName(configured, version);
}

/**
 * Builds every service to deploy in one compose call: compose builds them side by side, and each
 * call of its own costs seconds even with every layer cached (buildx starts, sends the context),
 * which a deploy of every service paid once per service. A failed build replaces nothing.
 */
export async function buildImages(session: Session, services: string[], version: string, noCache = false): Promise<void> {
  if (!services.length) return;
  const builders = sharedBuilds(session, services, version);
  const env = { ...session.ctx.env, ...versionEnv(readState(session.project)), ...Object.fromEntries(services.map((s) => [versionVariable(s), version])) };
  for (const service of services) {
    const builder = builders.get(service) ?? service;
    info(
      `  ${service}: ${builder === service ? 'building' : `same image as ${builder}:`} ${imageOf(session, service, version)}${noCache ? ' (no build cache)' : ''}`,
    );
  }
  const toBuild = services.filter((s) => !builders.has(s));
  const build = await compose({ ...session.ctx, env }, ['build', ...(noCache ? ['--no-cache'] : []), ...toBuild], { timeout: '900s' }).nothrow();
  if (build.exitCode !== 0) {
    const names = [...new Set(services.map((s) => imageOf(session, s, version)))].join(', ');
    throw processFailure(`building ${names} failed; nothing was replaced`, build.stderr);
  }
}

/**
 * Services whose image (at `version`) and build section equal an earlier one's, each mapped to
 * that one: a worker and an API built from one codebase are one build. Compose builds every
 * service named, about a third of a second each with every layer cached (50 copies: 17 s).
 */
export function sharedBuilds(session: Pick<Session, 'model'>, services: string[], version: string): Map<string, string> {
  const first = new Map<string, string>();
  const shared = new Map<string, string>();
  for (const service of services) {
    const spec = session.model.services.find((s) => s.name === service)?.buildSpec;
    const key = `${imageOf(session, service, version)}\n${JSON.stringify(spec ?? null)}`;
    const builder = first.get(key);
    if (builder) shared.set(service, builder);
    else first.set(key, service);
  }
  return shared;
}

export interface Move {
  step: DeployStep;
  from: string;
  to: string;
}

/**
 * How many services move at once: each new container's start and first health checks compete for
 * the CPU with the traffic the old ones still serve, so a wave is bounded by the machine's cores.
 */
const WAVE_LIMIT = Math.max(2, availableParallelism() * 4);

function combinedFailure(failures: Map<string, Error>, total: number): Error {
  if (failures.size === 1) return [...failures.values()][0];
  const lines = [...failures].map(([service, err]) => `${service}: ${err.message}`);
  const details = [...failures.values()].map((err) => (err instanceof OperationError ? err.details : undefined)).filter(Boolean);
  return new OperationError(`${failures.size} of ${total} services did not move: ${lines.join('; ')}`, 1, details.join('\n') || undefined);
}

/**
 * Moves services to their versions (images already present) in waves (plan.ts deployWaves),
 * records each outcome, and calls `settled` for each service that moved. A wave with a failure
 * ends the run: later waves depend on it or come after it.
 */
export async function moveServices(
  session: Session,
  moves: Move[],
  action: 'deploy' | 'rollback',
  opts: CommandOptions,
  settled: (move: Move, seconds: number) => Promise<void>,
): Promise<void> {
  const missing = await missingImages(moves.map((m) => imageOf(session, m.step.service, m.to)));
  const first = moves.find((m) => missing.includes(imageOf(session, m.step.service, m.to)));
  if (first)
    throw new OperationError(
      `image ${imageOf(session, first.step.service, first.to)} is not on this machine; cannot ${action} ${first.step.service} to ${first.to}`,
    );
  // On a swarm each stack deploy starts the update of every service whose spec changed, and
  // moveOnSwarm waits for one: one service a wave keeps each wait on its own update.
  const limit = session.target === 'swarm' ? 1 : WAVE_LIMIT;
  for (const wave of deployWaves(
    moves.map((m) => m.step),
    session.model.services,
    limit,
  )) {
    const waveMoves = wave.map((step) => moves.find((m) => m.step === step) as Move);
    const started = performance.now();
    const baseEnv = { ...session.ctx.env, ...versionEnv(readState(session.project)) };
    const env = { ...baseEnv, ...Object.fromEntries(waveMoves.map((m) => [versionVariable(m.step.service), m.to])) };
    const rollout = { ...opts, ctx: session.ctx, project: session.project, env };
    const failures = new Map<string, Error>();
    const attempt = async (service: string, work: () => Promise<void>) => {
      const failure = await failureOf(work);
      if (failure) failures.set(service, failure);
    };
    if (session.target === 'swarm')
      for (const { step } of waveMoves)
        await attempt(step.service, () => moveOnSwarm({ ...session.ctx, env }, session.project, step.service, opts.timeoutSeconds));
    else {
      const rolling = wave.filter((step) => step.strategy === 'rolling');
      if (rolling.length) for (const [service, err] of await rollingReplaceAll(rollout, rolling)) failures.set(service, err);
      for (const m of waveMoves.filter((m) => m.step.strategy !== 'rolling'))
        await attempt(m.step.service, () => recreate(rollout, m.step, { ...baseEnv, [versionVariable(m.step.service)]: m.from }));
    }
    const seconds = (performance.now() - started) / 1000;
    const state = readState(session.project);
    for (const { step, from, to } of waveMoves) {
      const failure = failures.get(step.service);
      appendHistory(session.project, {
        time: new Date().toISOString(),
        action,
        service: step.service,
        from,
        to,
        result: failure ? 'failed' : 'ok',
        seconds: Math.round(seconds * 10) / 10,
        ...(failure ? { error: failure.message } : {}),
      });
      if (!failure) state.services[step.service] = { version: to, image: imageOf(session, step.service, to), since: new Date().toISOString() };
    }
    writeState(session.project, state);
    // One listing for the whole wave: a check of each service on its own was three CLI calls each.
    const after =
      session.target === 'swarm'
        ? []
        : await serviceSetContainers(
            session.project,
            waveMoves.map((m) => m.step.service),
          );
    for (const m of waveMoves) {
      if (failures.has(m.step.service)) continue;
      verifySettled(session, m.step.service, m.to, after);
      await settled(m, seconds);
    }
    if (failures.size) throw combinedFailure(failures, wave.length);
  }
}

/** Compose's own view afterwards (`listed`: the wave's containers): its replicas running, all on the new image. */
function verifySettled(session: Session, service: string, version: string, listed: ContainerInfo[]): void {
  // Swarm's own update status said completed (swarm/deploy-stack.ts): its tasks are not compose's.
  if (session.target === 'swarm') return;
  const replicas = session.model.services.find((s) => s.name === service)?.replicas ?? 1;
  const running = listed.filter((c) => c.service === service && c.running);
  if (running.length !== replicas || running.some((c) => c.image !== imageOf(session, service, version))) {
    throw new OperationError(
      `${service} should run ${replicas} container(s) of ${imageOf(session, service, version)}, found: ${running.map((c) => `${c.name} (${c.image})`).join(', ') || 'none'}`,
    );
  }
  // Kept for operators reading the output: what docker compose ps would show of it.
  for (const c of running) info(`  ${c.name} ${c.image} ${c.status}${c.health ? ` (${c.health})` : ''}`);
}
