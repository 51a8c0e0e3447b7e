// What deploy.ts and rollback.ts share: their command definitions, and "move one service to a version and
// record it" (build for deploys, an existing image for rollbacks).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandSpec, OptionSpec, Parsed } from '../command/define.ts';
import { type ComposeContext, type ComposeModel, loadComposeModel } from '../compose.ts';
import { compose } from '../docker/client.ts';
import { serviceContainers, serviceStatusLines } from '../docker/containers.ts';
import { imageExists } from '../docker/images.ts';
import { OperationError, UsageError, processFailure } from '../errors.ts';
import { info } from '../output.ts';
import { currentStack } from '../stack.ts';
import { moveOnSwarm } from '../swarm/deploy-stack.ts';
import type { DeployTarget } from '../swarm/settings.ts';
import type { DeployStep } from './plan.ts';
import { recreate, rollingReplace } from './rollout.ts';
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

/** The validated options of a parsed deploy or rollback command line (bad values: exit 2). */
export function commandOptions(parsed: Parsed<Record<string, OptionSpec>>): CommandOptions {
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const seconds = (name: 'timeout' | 'switch-timeout' | 'grace', min: number) => {
    const raw = String(values[name]);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min) throw new UsageError(`--${name} must be a whole number of seconds >= ${min}, not '${raw}'`);
    return value;
  };
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

/** The version the service runs now: the tag of its running container, else the recorded one. */
export async function runningVersion(session: Session, service: string): Promise<string> {
  const running = (await serviceContainers(session.project, service)).filter((c) => c.status === 'running');
  if (running.length) return tagOf(running[running.length - 1].image);
  return readState(session.project).services[service]?.version ?? 'latest';
}

/** The service's image at a version: the repository its compose `image:` names, tagged with the version. */
export function imageOf(session: Session, service: string, version: string): string {
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
  const env = { ...session.ctx.env, ...versionEnv(readState(session.project)), ...Object.fromEntries(services.map((s) => [versionVariable(s), version])) };
  for (const service of services) info(`  ${service}: building ${imageOf(session, service, version)}${noCache ? ' (no build cache)' : ''}`);
  const build = await compose({ ...session.ctx, env }, ['build', ...(noCache ? ['--no-cache'] : []), ...services], { timeout: '900s' }).nothrow();
  if (build.exitCode !== 0) {
    const names = services.map((s) => imageOf(session, s, version)).join(', ');
    throw processFailure(`building ${names} failed; nothing was replaced`, build.stderr);
  }
}

/** Moves one service from `from` to `to` (image already present), records the outcome either way. */
export async function moveService(
  session: Session,
  step: DeployStep,
  action: 'deploy' | 'rollback',
  from: string,
  to: string,
  opts: CommandOptions,
): Promise<number> {
  const started = performance.now();
  const { service } = step;
  if (!(await imageExists(imageOf(session, service, to))))
    throw new OperationError(`image ${imageOf(session, service, to)} is not on this machine; cannot ${action} ${service} to ${to}`);
  const state = readState(session.project);
  const baseEnv = { ...session.ctx.env, ...versionEnv(state) };
  const env = { ...baseEnv, [versionVariable(service)]: to };
  const rollout = {
    ctx: session.ctx,
    project: session.project,
    step,
    env,
    timeoutSeconds: opts.timeoutSeconds,
    switchTimeoutSeconds: opts.switchTimeoutSeconds,
    graceSeconds: opts.graceSeconds,
    overrides: opts.overrides,
  };
  const record = (result: 'ok' | 'failed', error?: string) =>
    appendHistory(session.project, {
      time: new Date().toISOString(),
      action,
      service,
      from,
      to,
      result,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      ...(error ? { error } : {}),
    });
  try {
    if (session.target === 'swarm') await moveOnSwarm({ ...session.ctx, env }, session.project, service, opts.timeoutSeconds);
    else if (step.strategy === 'rolling') await rollingReplace(rollout);
    else await recreate(rollout, { ...baseEnv, [versionVariable(service)]: from });
  } catch (err) {
    record('failed', (err as Error).message);
    throw err;
  }
  const fresh = readState(session.project);
  fresh.services[service] = { version: to, image: imageOf(session, service, to), since: new Date().toISOString() };
  writeState(session.project, fresh);
  record('ok');
  return (performance.now() - started) / 1000;
}

/** Compose's own view afterwards: exactly one running container of the service, on the new image. */
export async function verifySettled(session: Session, service: string, version: string): Promise<void> {
  // Swarm's own update status said completed (swarm/deploy-stack.ts): its tasks are not compose's.
  if (session.target === 'swarm') return;
  const running = (await serviceContainers(session.project, service)).filter((c) => c.status === 'running');
  if (running.length !== 1 || running[0].image !== imageOf(session, service, version)) {
    throw new OperationError(
      `${service} should run one container of ${imageOf(session, service, version)}, found: ${running.map((c) => `${c.name} (${c.image})`).join(', ') || 'none'}`,
    );
  }
  // Kept for operators reading the output: the same state that docker compose ps shows.
  info(`  ${await serviceStatusLines(session.project, service)}`);
}
