// A throwaway copy of the stack for one test file: its own project name, .env and free host ports,
// driven through the real scripts/*.sh entry points, removed with its volumes at the end.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { composeFiles } from '../../scripts/lib/docker/client.ts';
import { renderNewEnv } from '../../scripts/lib/env.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { projectFileMatcher, projectFiles, runDir } from '../../scripts/lib/state/files.ts';

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * `count` distinct free host ports. Every probe socket stays open until all are chosen: closed one
 * by one, the kernel may hand the same port out again (a CI run got BACKEND_PORT and
 * PROMETHEUS_PORT both 32769, and compose refused the stack with "port is already allocated").
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

export class TestStack {
  /** `root`: the system's folder (compose files, .env.example, .run/); the kit's own by default. */
  constructor(readonly root = projectRoot) {}

  readonly project = `galaxy-test-${Math.random().toString(36).slice(2, 8)}`;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'galaxy-stack-'));
  readonly envFile = path.join(this.dir, '.env');
  ports: Record<string, number> = {};

  /** Writes the .env: generated secrets, this project's name, a free port for every *_PORT. */
  async init(overrides: Record<string, string> = {}): Promise<this> {
    let text = renderNewEnv(readFileSync(path.join(this.root, '.env.example'), 'utf8'));
    const names = [...text.matchAll(/^([A-Z_]+_PORT)=/gm)].map((m) => m[1]);
    const ports = await freePorts(names.length);
    names.forEach((name, i) => (this.ports[name] = ports[i]));
    const values: Record<string, string> = {
      COMPOSE_PROJECT_NAME: this.project,
      ...Object.fromEntries(Object.entries(this.ports).map(([k, v]) => [k, String(v)])),
      ...overrides,
    };
    for (const [name, value] of Object.entries(values)) text = text.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}=${value}`);
    writeFileSync(this.envFile, text, { mode: 0o600 });
    return this;
  }

  get env(): Record<string, string> {
    return {
      GALAXY_ENV_FILE: this.envFile,
      COMPOSE_PROJECT_NAME: this.project,
      ...(this.root === projectRoot ? {} : { GALAXY_ROOT: this.root }),
    };
  }

  async script(name: string, args: string[] = [], extraEnv: Record<string, string> = {}, timeout = '900s'): Promise<ScriptResult> {
    const out = await $({
      cwd: projectRoot,
      env: { ...process.env, ...this.env, ...extraEnv },
      nothrow: true,
      quiet: true,
    })`${path.join(projectRoot, 'scripts', `${name}.sh`)} ${args}`.timeout(timeout as '900s');
    return { exitCode: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
  }

  /** docker compose for this project (same files as the scripts use in default mode). */
  async compose(args: string[], mode: 'default' | 'prod' = 'default'): Promise<ScriptResult> {
    const files = composeFiles(mode, this.root, 'compose', this.envFile).flatMap((f) => ['-f', f]);
    const saved = savedStack(this.project, this.runDir);
    const profileArgs = saved.profiles.flatMap((p) => ['--profile', p]);
    const out = await $({
      cwd: this.root,
      nothrow: true,
      quiet: true,
      env: { ...process.env, ...saved.env },
    })`docker compose --project-directory ${this.root} --env-file ${this.envFile} -p ${this.project} ${files} ${profileArgs} ${args}`.timeout('300s');
    return { exitCode: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
  }

  /**
   * What happened to this project's containers since `since` (the engine's own events: create,
   * start, kill, die, health changes) and the warn/error lines the named services logged, each with
   * its timestamp: a failed request's timestamp read against this names its cause.
   */
  async timeline(since: Date, services: string[] = []): Promise<string> {
    const sinceArg = Math.floor(since.getTime() / 1000 - 1).toString();
    const events = await $({
      nothrow: true,
      quiet: true,
    })`docker events --since ${sinceArg} --until ${Math.ceil(Date.now() / 1000).toString()} --filter ${`label=com.docker.compose.project=${this.project}`} --filter type=container --format ${'{{.TimeNano}} {{.Action}} {{index .Actor.Attributes "name"}}'}`.timeout(
      '30s',
    );
    const eventLines = events.stdout
      .split('\n')
      .filter((line) => line && !/ exec_(create|start|die)/.test(line))
      .map((line) => {
        const [nanos, ...rest] = line.split(' ');
        return `${new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString()} ${rest.join(' ')}`;
      });
    const logs = services.length ? await this.compose(['logs', '--no-color', '--timestamps', '--since', since.toISOString(), ...services]) : undefined;
    const problems = (logs?.stdout ?? '')
      .split('\n')
      .filter((line) => /\[(warn|error|crit|alert|emerg)\]|" 5\d\d |"status":5\d\d|"level":"(warn|error)"/.test(line));
    return [
      `--- container events since ${since.toISOString()} ---`,
      ...eventLines,
      `--- warnings and errors of ${services.join(', ')} ---`,
      ...problems.slice(-40),
    ].join('\n');
  }

  /** A value of this stack's .env as the services get it (API_TOKEN: every write must carry it). */
  envValue(name: string): string {
    const value = new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(this.envFile, 'utf8'))?.[1];
    if (value === undefined) throw new Error(`${this.envFile} has no ${name}`);
    return value;
  }

  /** Headers for a JSON write to backend, memory-api or experience-api (docs/API.md). */
  writeHeaders(): Record<string, string> {
    return { 'content-type': 'application/json', authorization: `Bearer ${this.envValue('API_TOKEN')}` };
  }

  url(portVariable: string, pathname: string): string {
    return `http://127.0.0.1:${this.ports[portVariable]}${pathname}`;
  }

  /** Removes the containers, volumes and this project's files under .run/ (deploy state, lock...). */
  async destroy(): Promise<void> {
    await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '5']);
    // `down` removes the networks of the files it is given; a test's extra compose file can add a
    // service on compose's `default` network, which then outlives the stack. Docker has about 30
    // address pools, so leaked networks made later stacks fail ("could not find an available,
    // non-overlapping IPv4 address pool"). Remove every network still labelled with this project.
    const left = await $({ nothrow: true, quiet: true })`docker network ls -q --filter ${`label=com.docker.compose.project=${this.project}`}`;
    const ids = left.stdout.split('\n').filter(Boolean);
    if (ids.length) await $({ nothrow: true, quiet: true })`docker network rm ${ids}`;
    const own = projectFileMatcher(this.project);
    if (existsSync(this.runDir))
      for (const name of readdirSync(this.runDir).filter(own)) rmSync(path.join(this.runDir, name), { recursive: true, force: true });
  }

  /** The system's .run/: the kit's own, or the one under `root`. */
  get runDir(): string {
    return this.root === projectRoot ? runDir : path.join(this.root, '.run');
  }
}

/**
 * What the scripts chose when they started a project (image variables for offline mode, profiles),
 * so a test's own compose calls use the same images and never try a registry.
 */
export function savedStack(project: string, dir = runDir): { env: Record<string, string>; profiles: string[] } {
  const state = projectFiles(project, dir).stack;
  if (!existsSync(state)) return { env: {}, profiles: ['monitoring'] };
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { env?: Record<string, string>; profiles?: string[] };
  return { env: saved.env ?? {}, profiles: saved.profiles ?? ['monitoring'] };
}

/**
 * Prints a failed script's output so a red test explains itself. Its first line carries the
 * script's own last `error:` line: the one-line failure digest above make test's summary shows it.
 */
export function explain(result: ScriptResult): string {
  const cause = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .filter((line) => /^\s*error:/.test(line))
    .pop()
    ?.trim();
  return `exit ${result.exitCode}${cause ? `: ${cause}` : ''}\n--- stdout ---\n${result.stdout.slice(-3000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, body };
}
