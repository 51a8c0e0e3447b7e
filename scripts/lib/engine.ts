// Docker engine bootstrap: use a working engine, or install one from Debian's packages and start it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { $ } from 'zx/core';
import { askEngine, pluginVersions } from './docker/client.ts';
import { OperationError } from './errors.ts';
import { info } from './output.ts';
import { machineFiles } from './state/files.ts';

/** healthcheck.start_interval needs Engine API >= 1.44 (Docker 25). */
export const MIN_ENGINE_MAJOR = 25;

export interface EngineFacts {
  engineAnswers: boolean;
  engineVersion?: string;
  composeVersion?: string;
  buildxVersion?: string;
  dockerdInstalled: boolean;
  /** pid of a dockerd already running on this machine (any pidfile, any checkout), if one is. */
  dockerdRunning?: number;
  isRoot: boolean;
  osId?: string;
}

export type EngineAction = { kind: 'ready' } | { kind: 'start' } | { kind: 'install' } | { kind: 'refuse'; reason: string };

/** Pure decision, so every branch is unit-tested without touching the machine. */
export function decideEngineAction(facts: EngineFacts): EngineAction {
  if (facts.engineAnswers) {
    const major = Number((facts.engineVersion ?? '0').split('.')[0]);
    if (!(major >= MIN_ENGINE_MAJOR)) {
      return {
        kind: 'refuse',
        reason: `Docker Engine ${facts.engineVersion ?? '(unknown)'} is too old: healthcheck start_interval needs ${MIN_ENGINE_MAJOR} or newer; upgrade the engine`,
      };
    }
    if (!facts.composeVersion)
      return { kind: 'refuse', reason: 'Docker Compose v2 is missing: install the docker-compose-plugin (Debian: docker-compose from trixie)' };
    if (!facts.buildxVersion) return { kind: 'refuse', reason: 'Docker buildx is missing: install docker-buildx (Debian: docker-buildx from trixie)' };
    return { kind: 'ready' };
  }
  // A dockerd that is alive but silent is overloaded or lost its socket: a second one on the same
  // /var/lib/docker would replace the socket every client uses and fail on containerd anyway.
  if (facts.dockerdRunning !== undefined) {
    return {
      kind: 'refuse',
      reason: `a dockerd is running (pid ${facts.dockerdRunning}) but does not answer: wait for the machine's load to fall and retry, or stop it (kill ${facts.dockerdRunning}) and run make engine`,
    };
  }
  if (!facts.isRoot) {
    return {
      kind: 'refuse',
      reason:
        'no Docker engine answers and this user is not root: start dockerd, or install Docker Engine 25+ with Compose v2 (https://docs.docker.com/engine/install/)',
    };
  }
  if (facts.dockerdInstalled) return { kind: 'start' };
  if (facts.osId !== 'debian') {
    return {
      kind: 'refuse',
      reason: `no Docker engine answers and this is not Debian (${facts.osId ?? 'unknown OS'}): install Docker Engine 25+ with Compose v2 and buildx, then retry`,
    };
  }
  return { kind: 'install' };
}

async function engineVersionNow(): Promise<string | undefined> {
  const answer = await askEngine();
  return 'version' in answer ? answer.version : undefined;
}

/** Any process named dockerd, read from /proc (the pidfile is per checkout, the engine is per machine). */
export function runningDockerd(procRoot = '/proc'): number | undefined {
  if (!existsSync(procRoot)) return undefined;
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(path.join(procRoot, entry, 'comm'), 'utf8').trim() === 'dockerd') return Number(entry);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return undefined;
}

export async function readEngineFacts(): Promise<EngineFacts> {
  const hasClient = (await $`command -v docker`.quiet().nothrow()).exitCode === 0;
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  // All at once: each CLI start is half a second to a second on a busy 2-core machine, and every
  // make start asks. The plugins' versions count only when the engine answers.
  const [engineVersion, plugins, dockerd] = await Promise.all([
    hasClient ? engineVersionNow() : undefined,
    hasClient ? pluginVersions() : ({} as Record<string, string>),
    $`command -v dockerd`.quiet().nothrow(),
  ]);
  const { compose: composeVersion, buildx: buildxVersion } = plugins;
  return {
    engineAnswers: Boolean(engineVersion),
    engineVersion,
    composeVersion: engineVersion ? composeVersion : undefined,
    buildxVersion: engineVersion ? buildxVersion : undefined,
    dockerdInstalled: dockerd.exitCode === 0,
    dockerdRunning: engineVersion ? undefined : runningDockerd(),
    isRoot: process.getuid?.() === 0,
    osId: /^ID=("?)([^"\n]+)\1$/m.exec(osRelease)?.[2],
  };
}

/** The machine's own Debian mirror and key, read from its apt sources (never hard-coded). */
export function debianMirror(): { uri: string; signedBy?: string } {
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.sources'))
        .map((f) => path.join(dir, f))
    : [];
  for (const file of files) {
    for (const stanza of readFileSync(file, 'utf8').split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim();
      const uri = field('URIs')?.split(/\s+/)[0];
      const suites = field('Suites') ?? '';
      if (uri && /\/debian\/?$/.test(uri) && !/security/.test(suites)) return { uri, signedBy: field('Signed-By') };
    }
  }
  const legacy = existsSync('/etc/apt/sources.list') ? readFileSync('/etc/apt/sources.list', 'utf8') : '';
  const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian\/?)\s+\S+/m.exec(legacy);
  if (match) return { uri: match[1] };
  throw new OperationError('cannot find a Debian mirror in /etc/apt/sources.list(.d): add one, or install Docker Engine 25+ yourself');
}

const TRIXIE_SOURCE = '/etc/apt/sources.list.d/galaxy-trixie.sources';
const TRIXIE_PIN = '/etc/apt/preferences.d/galaxy-trixie.pref';

/** Adds trixie pinned low, so only the packages asked for with /trixie come from it. */
export async function ensureTrixieSource(): Promise<void> {
  if (existsSync(TRIXIE_SOURCE) && existsSync(TRIXIE_PIN)) return;
  const mirror = debianMirror();
  const lines = ['Types: deb', `URIs: ${mirror.uri}`, 'Suites: trixie', 'Components: main'];
  if (mirror.signedBy) lines.push(`Signed-By: ${mirror.signedBy}`);
  writeFileSync(TRIXIE_SOURCE, `${lines.join('\n')}\n`);
  writeFileSync(TRIXIE_PIN, 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n');
  await $`apt-get update -qq`.quiet();
}

export async function installEngine(): Promise<void> {
  info('engine: installing Docker Engine, Compose v2 and buildx from Debian trixie (about a minute)');
  await ensureTrixieSource();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await $({ env })`apt-get install -y -qq containerd runc tini iptables`.quiet();
  await $({ env })`apt-get install -y -qq docker.io/trixie docker-cli/trixie docker-buildx/trixie docker-compose/trixie`.quiet();
}

export async function startEngine(): Promise<void> {
  mkdirSync(path.dirname(machineFiles.dockerdLog), { recursive: true });
  const logPath = machineFiles.dockerdLog;
  const log = openSync(logPath, 'a');
  // Node's spawn, not zx: dockerd must outlive this process, so it is detached and never awaited.
  const child = spawn('dockerd', ['--pidfile', machineFiles.dockerdPid], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  info(`engine: started dockerd (pid ${child.pid}, log ${path.relative(process.cwd(), logPath) || logPath})`);
  for (let i = 0; i < 120; i++) {
    if (await engineVersionNow()) return;
    await sleep(500);
  }
  throw new OperationError(`dockerd did not answer within 60 s: read ${logPath}`);
}

/** Makes sure an engine answers; idempotent and fast when one already does. */
export async function ensureEngine(): Promise<EngineFacts> {
  let facts = await readEngineFacts();
  for (let step = 0; step < 3; step++) {
    const action = decideEngineAction(facts);
    if (action.kind === 'ready') return facts;
    if (action.kind === 'refuse') throw new OperationError(action.reason);
    if (action.kind === 'install') await installEngine();
    else await startEngine();
    facts = await readEngineFacts();
  }
  throw new OperationError('the Docker engine could not be brought up: read .run/dockerd.log');
}

/** The engine's socket as the compose file mounts it into the socket proxy (its only holder). */
export const ENGINE_SOCKET = '/var/run/docker.sock';

/**
 * The group id that may open the engine's socket (root:docker 0660 on a typical host), which the
 * socket proxy joins (compose `group_add: DOCKER_SOCKET_GID`) so that it need not run as root.
 * undefined when there is no socket file (an engine reached over TCP): the proxy then says so.
 */
export function engineSocketGroup(socket = ENGINE_SOCKET): string | undefined {
  return existsSync(socket) ? String(statSync(socket).gid) : undefined;
}
