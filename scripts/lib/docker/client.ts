// The one Docker client: every `docker` and `docker compose` process the scripts start is started
// here (containers.ts, images.ts and stream.ts beside this file build on it), so the compose
// command line (files, project directory, .env, profiles), the timeouts and the environment are
// decided once. A unit test (test/unit/docker-client.test.ts) fails when another file spawns docker.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { $, type Duration } from 'zx/core';
import { OperationError, lastLine } from '../errors.ts';
import { interactive } from '../output.ts';
import { envFile, projectRoot } from '../paths.ts';

export type StackMode = 'default' | 'dev' | 'prod';

export interface ComposeContext {
  mode: StackMode;
  /** Variables handed to compose on top of .env (image overrides, project name in tests). */
  env: Record<string, string>;
  profiles: string[];
  /** Where the stack runs; swarm mode leaves out the replicas file (its replica counts come from .env directly). */
  target?: 'compose' | 'swarm';
  /** Containers a compose `exec` of their service goes to directly, as `docker exec` (execOnTask). */
  execTargets?: ExecTargets;
}

/**
 * Containers a compose `exec` goes to directly, read once: in compose mode the running containers
 * (each exec then costs a docker CLI start instead of compose's project load and plugin start: five
 * of them beside a dump took CPU from it, bench backup); in swarm mode the container of each
 * service's task on this node, which compose does not know.
 */
export interface ExecTargets {
  containers: Record<string, string>;
  /**
   * Swarm mode only: what a one-off `run` of each service starts on this node (`docker run` of its
   * task's image, user and volumes): its task may be scaled to 0 meanwhile, and compose's own `run`
   * would create a compose project beside the stack.
   */
  oneOffs?: Record<string, OneOffSpec>;
}

/** A swarm service's task as a one-off container needs it (docker service inspect). */
export interface OneOffSpec {
  image: string;
  /** The service's user; the image's when empty. */
  user: string;
  /** Its named volumes: Docker's volume name and the path in the container. */
  mounts: Array<{ source: string; target: string }>;
}

/** Per docker CLI call: a saturated machine makes the engine slow (seconds), not absent. */
export const DOCKER_CALL_TIMEOUT = '60s';

/** The engine did not answer a call within its timeout (busy, not gone). */
export class EngineSlow extends Error {}

/** One `docker <args>` call, output kept (not printed), ended after `timeout`; throws on failure unless `.nothrow()`. */
export function docker(args: string[], timeout: Duration = DOCKER_CALL_TIMEOUT) {
  return $({ quiet: true, verbose: false })`docker ${args}`.timeout(timeout);
}

export interface ComposeLine {
  projectDir: string;
  /** The settings file, when there is one. */
  envFile?: string;
  files: string[];
  profiles: string[];
  /** Files layered on top after the profiles (a deploy's overrides). */
  extraFiles?: string[];
  /** Colours and control codes allowed (a TTY). */
  ansi: boolean;
}

/** Pure: the arguments after `docker` for a compose call (unit-tested). */
export function composeCommandLine(line: ComposeLine): string[] {
  // Without a TTY compose must print no control codes (cron logs, CI, --grep on logs).
  const args = ['compose', '--project-directory', line.projectDir, ...(line.ansi ? [] : ['--ansi', 'never'])];
  if (line.envFile) args.push('--env-file', line.envFile);
  for (const file of line.files) args.push('-f', file);
  for (const profile of line.profiles) args.push('--profile', profile);
  for (const file of line.extraFiles ?? []) args.push('-f', file);
  return args;
}

/** Written by `make adopt` (docs/ADOPT.md): the adopted services, layered on the system's own file. */
export const ADOPTED_FILE = 'docker-compose.adopted.yml';

/**
 * Written by `make scale` in compose mode from .env's <SERVICE>_REPLICAS (deploy/replicas.ts): each
 * scaled service's count, and its host ports reset (one container per host port). Beside the .env
 * it comes from (a test stack's own), layered last so the reset wins over every mode's ports;
 * swarm mode leaves it out.
 */
export const REPLICAS_FILE = 'docker-compose.replicas.yml';

export function replicasFile(env = envFile): string {
  return path.join(path.dirname(env), REPLICAS_FILE);
}

export function composeFiles(mode: StackMode, root = projectRoot, target: ComposeContext['target'] = 'compose', env = envFile): string[] {
  const files = ['docker-compose.yml'];
  // Right after the base file: the mode's overrides still come last and win.
  if (existsSync(path.join(root, ADOPTED_FILE))) files.push(ADOPTED_FILE);
  if (mode !== 'default') files.push(`docker-compose.${mode}.yml`);
  const paths = files.map((file) => path.join(root, file));
  if (target === 'compose' && existsSync(replicasFile(env))) paths.push(replicasFile(env));
  return paths;
}

/** The compose arguments for this checkout and context: its files, .env (when present) and profiles. */
export function composeArgs(ctx: ComposeContext, extraFiles: string[] = []): string[] {
  return composeCommandLine({
    projectDir: projectRoot,
    envFile: existsSync(envFile) ? envFile : undefined,
    files: composeFiles(ctx.mode, undefined, ctx.target),
    profiles: ctx.profiles,
    extraFiles,
    ansi: interactive,
  });
}

/** The environment a compose process gets: this process's, with the context's variables on top. */
export function composeEnv(ctx: ComposeContext): NodeJS.ProcessEnv {
  return { ...process.env, ...ctx.env };
}

export interface ComposeOptions {
  quiet?: boolean;
  timeout?: Duration;
  /** Extra compose files layered onto the context's own. */
  files?: string[];
}

/**
 * Pure: a compose `exec -T SERVICE CMD…` as `exec -i CONTAINER CMD…` for a service whose container
 * the targets name (`-i` passes stdin as compose's `-T` does). Undefined for every other call.
 */
export function execOnTask(args: string[], targets: ExecTargets | undefined): string[] | undefined {
  if (!targets || args[0] !== 'exec') return undefined;
  let i = 1;
  for (; i < args.length && args[i].startsWith('-'); i++) if (args[i] !== '-T') return undefined;
  const container = targets.containers[args[i]];
  return container && i + 1 < args.length ? ['exec', '-i', container, ...args.slice(i + 1)] : undefined;
}

/** The flags of compose `run` a store kind uses, and whether each takes a value. */
const ONE_OFF_FLAGS: Record<string, boolean> = {
  '--rm': false,
  '--no-deps': false,
  '-T': false,
  '--entrypoint': true,
  '--user': true,
  '--cap-add': true,
  '--volume': true,
};

/**
 * Pure: in swarm mode a compose one-off `run --rm --no-deps -T [--user U] [--cap-add C]… [--volume
 * V] --entrypoint E SERVICE ARGS…` as `docker run` of the service's task spec on this node, with
 * no network (a one-off reads and writes files only). Throws for a service or flag it cannot
 * carry over: compose's own `run` would start a compose project beside the stack.
 */
export function oneOffOnNode(args: string[], specs: Record<string, OneOffSpec> | undefined): string[] | undefined {
  if (!specs || args[0] !== 'run') return undefined;
  const flags: string[] = [];
  let user: string | undefined;
  let i = 1;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const flag = args[i];
    if (!(flag in ONE_OFF_FLAGS)) throw new OperationError(`a one-off in swarm mode cannot carry compose's ${flag}`);
    if (!ONE_OFF_FLAGS[flag]) continue;
    const value = args[++i];
    if (flag === '--user') user = value;
    else flags.push(flag, value);
  }
  const service = args[i];
  const spec = specs[service];
  if (!spec) throw new OperationError(`${service} is not a service of the swarm stack: make start ARGS=--swarm deploys it`);
  user ||= spec.user;
  return [
    'run',
    '--rm',
    '-i',
    '--network',
    'none',
    ...(user ? ['--user', user] : []),
    ...spec.mounts.flatMap((m) => ['--volume', `${m.source}:${m.target}`]),
    ...flags,
    spec.image,
    ...args.slice(i + 1),
  ];
}

/** The arguments after `docker` for a compose call in this context (or its stand-in on a task, above). */
export function composeCall(ctx: ComposeContext, args: string[], files?: string[]): string[] {
  return execOnTask(args, ctx.execTargets) ?? oneOffOnNode(args, ctx.execTargets?.oneOffs) ?? [...composeArgs(ctx, files), ...args];
}

/** Runs `docker compose <args>` with the context's files, profiles and environment. */
export function compose(ctx: ComposeContext, args: string[], options: ComposeOptions = {}) {
  const process$ = $({
    env: composeEnv(ctx),
    cwd: projectRoot,
    verbose: false,
    quiet: options.quiet ?? true,
  })`docker ${composeCall(ctx, args, options.files)}`;
  return options.timeout ? process$.timeout(options.timeout) : process$;
}

export type EngineAnswer = { version: string } | { problem: 'down' | 'slow'; detail: string };

/**
 * The engine's version as the CLI sees it: every command drives the engine through the CLI, so a
 * CLI that cannot reach it is an engine that does not answer, whatever its socket says.
 * `docker version`, not `docker info`: info also asks every CLI plugin for its metadata, spawning
 * processes, which a saturated machine slows past any short limit. A refused socket fails at once
 * ('down'); an engine that is up but busy gets 30 s ('slow').
 */
export async function askEngine(): Promise<EngineAnswer> {
  const out = await docker(['version', '--format', '{{.Server.Version}}'], '30s').nothrow();
  const version = out.stdout.trim();
  if (out.exitCode === 0 && version) return { version };
  if (out.signal) return { problem: 'slow', detail: 'no answer within 30 s' };
  return { problem: 'down', detail: lastLine(out.stderr).slice(0, 200) };
}

/**
 * The CLI plugins' versions by name (compose, buildx) from one `docker info`: a `version` call
 * per plugin is a process start each, on every `make start`. Empty when the engine does not answer.
 */
export async function pluginVersions(timeout: Duration = '30s'): Promise<Record<string, string>> {
  const out = await docker(['info', '--format', '{{json .ClientInfo.Plugins}}'], timeout).nothrow();
  try {
    const plugins = JSON.parse(out.stdout.trim().split('\n')[0] || '[]') as Array<{ Name?: string; Version?: string }>;
    return Object.fromEntries(plugins.filter((p) => p.Name && p.Version).map((p) => [p.Name as string, p.Version as string]));
  } catch {
    return {};
  }
}
