// What deploy.ts and rollback.ts share: parsing, the lock, and "move one service to a version and
// record it" (build for deploys, an existing image for rollbacks).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { $ } from 'zx';
import { type ComposeContext, type ComposeModel, compose, loadComposeModel } from '../compose.ts';
import { OperationError, UsageError } from '../errors.ts';
import { info } from '../output.ts';
import { runDir } from '../paths.ts';
import { currentStack } from '../stack.ts';
import { imageExists, serviceContainers } from './containers.ts';
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

export function parseCommandArgs(argv: string[], usage: string, allowDeployFlags: boolean): CommandOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        timeout: { type: 'string', default: '120' },
        'switch-timeout': { type: 'string', default: '30' },
        grace: { type: 'string', default: '20' },
        ...(allowDeployFlags ? { override: { type: 'string', multiple: true }, force: { type: 'boolean' }, 'no-cache': { type: 'boolean' } } : {}),
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}: usage: ${usage}`);
  }
  if (parsed.positionals.length > 1) throw new UsageError(`one service at a time (or none for all): usage: ${usage}`);
  const seconds = (name: 'timeout' | 'switch-timeout' | 'grace', min: number) => {
    const raw = parsed.values[name] as string;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be a whole number of seconds >= ${min}, not '${raw}'`);
    return value;
  };
  const overrides = ((parsed.values as { override?: string[] }).override ?? []).map((f) => path.resolve(f));
  for (const file of overrides) if (!existsSync(file)) throw new UsageError(`--override file ${file} does not exist`);
  return {
    service: parsed.positionals[0] || undefined,
    timeoutSeconds: seconds('timeout', 1),
    switchTimeoutSeconds: seconds('switch-timeout', 1),
    graceSeconds: seconds('grace', 1),
    overrides,
    force: Boolean((parsed.values as { force?: boolean }).force),
    noCache: Boolean((parsed.values as { 'no-cache'?: boolean })['no-cache']),
  };
}

export interface Session {
  ctx: ComposeContext;
  model: ComposeModel;
  project: string;
  release: () => void;
}

/** Opens the stack and takes the project's deploy lock (one deploy or rollback at a time). */
export async function openSession(): Promise<Session> {
  const { ctx } = await currentStack();
  const model = await loadComposeModel(ctx);
  const project = model.project;
  mkdirSync(runDir, { recursive: true });
  const lock = path.join(runDir, `deploy-${project}.lock`);
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (pid && isAlive(pid)) throw new OperationError(`another deploy or rollback of ${project} is running (pid ${pid}); wait for it to finish`);
    rmSync(lock, { force: true }); // left behind by a killed run
  }
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    throw new OperationError(`another deploy or rollback of ${project} just started; wait for it to finish`);
  }
  writeSync(fd, `${process.pid}\n`);
  closeSync(fd);
  const release = () => rmSync(lock, { force: true });
  process.once('exit', release);
  return { ctx, model, project, release };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The version the service runs now: the tag of its running container, else the recorded one. */
export async function runningVersion(session: Session, service: string): Promise<string> {
  const running = (await serviceContainers(session.project, service)).filter((c) => c.status === 'running');
  if (running.length) return tagOf(running[running.length - 1].image);
  return readState(session.project).services[service]?.version ?? 'latest';
}

export async function buildImage(session: Session, service: string, version: string, noCache = false): Promise<void> {
  const env = { ...session.ctx.env, ...versionEnv(readState(session.project)), [versionVariable(service)]: version };
  info(`  ${service}: building ${imageName(service, version)}${noCache ? ' (no build cache)' : ''}`);
  const build = await compose({ ...session.ctx, env }, ['build', ...(noCache ? ['--no-cache'] : []), service], { timeout: '900s' }).nothrow();
  if (build.exitCode !== 0) {
    throw new OperationError(`building ${imageName(service, version)} failed; nothing was replaced`, 1, build.stderr.split('\n').slice(-25).join('\n'));
  }
}

/** Moves one service from `from` to `to` (image already present), records the outcome either way. */
export async function moveService(session: Session, step: DeployStep, action: 'deploy' | 'rollback', from: string, to: string, opts: CommandOptions): Promise<number> {
  const started = performance.now();
  const { service } = step;
  if (!(await imageExists(imageName(service, to)))) throw new OperationError(`image ${imageName(service, to)} is not on this machine; cannot ${action} ${service} to ${to}`);
  const state = readState(session.project);
  const baseEnv = { ...session.ctx.env, ...versionEnv(state) };
  const env = { ...baseEnv, [versionVariable(service)]: to };
  const rollout = { ctx: session.ctx, project: session.project, step, env, timeoutSeconds: opts.timeoutSeconds, switchTimeoutSeconds: opts.switchTimeoutSeconds, graceSeconds: opts.graceSeconds, overrides: opts.overrides };
  const record = (result: 'ok' | 'failed', error?: string) =>
    appendHistory(session.project, { time: new Date().toISOString(), action, service, from, to, result, seconds: Math.round((performance.now() - started) / 100) / 10, ...(error ? { error } : {}) });
  try {
    if (step.strategy === 'rolling') await rollingReplace(rollout);
    else await recreate(rollout, { ...baseEnv, [versionVariable(service)]: from });
  } catch (err) {
    record('failed', (err as Error).message);
    throw err;
  }
  const fresh = readState(session.project);
  fresh.services[service] = { version: to, image: imageName(service, to), since: new Date().toISOString() };
  writeState(session.project, fresh);
  record('ok');
  return (performance.now() - started) / 1000;
}

/** Compose's own view afterwards: exactly one running container of the service, on the new image. */
export async function verifySettled(session: Session, service: string, version: string): Promise<void> {
  const running = (await serviceContainers(session.project, service)).filter((c) => c.status === 'running');
  if (running.length !== 1 || running[0].image !== imageName(service, version)) {
    throw new OperationError(`${service} should run one container of ${imageName(service, version)}, found: ${running.map((c) => `${c.name} (${c.image})`).join(', ') || 'none'}`);
  }
  // Kept for operators reading the output: the same state `docker compose ps` shows.
  const ps = await $`docker ps --filter ${`label=com.docker.compose.project=${session.project}`} --filter ${`label=com.docker.compose.service=${service}`} --format ${'{{.Names}} {{.Image}} {{.Status}}'}`.quiet().nothrow().timeout('20s');
  info(`  ${ps.stdout.trim()}`);
}
