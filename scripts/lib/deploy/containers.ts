// Docker-level view of one service's containers during a deploy (compose ps hides restart counts
// and the exact image), and the waits a rolling replacement needs.
import { $ } from 'zx';
import { OperationError } from '../errors.ts';

/** Per docker CLI call: a saturated machine makes the engine slow (seconds), not absent. */
const DOCKER_CALL_TIMEOUT = '60s';

export class EngineSlow extends Error {}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  status: string; // running, restarting, exited, created ...
  health: string; // healthy, unhealthy, starting, '' (no healthcheck)
  restarts: number;
  /** Docker's last probes all ran out of time (inconclusive on a saturated machine), none said no. */
  probesTimedOut: boolean;
}

interface RawInspect {
  Id: string;
  Name: string;
  RestartCount: number;
  Config: { Image: string };
  State: { Status: string; Health?: { Status: string; Log?: Array<{ ExitCode: number; Output: string }> } };
}

/** Docker marks a probe killed at its timeout with exit -1 and this text. */
function onlyTimeouts(log: Array<{ ExitCode: number; Output: string }> | undefined): boolean {
  const recent = (log ?? []).slice(-2);
  return recent.length > 0 && recent.every((e) => e.ExitCode === -1 && /exceeded timeout/i.test(e.Output));
}

/** A running container of the project as the switch sees it: its namespace (pid) and addresses. */
export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  pid: number;
  ips: string[];
}

interface RawProjectInspect {
  Id: string;
  Name: string;
  Config: { Labels?: Record<string, string> };
  State: { Pid: number; Running: boolean };
  NetworkSettings: { Networks?: Record<string, { IPAddress?: string }> };
}

export function parseProjectInspect(json: string): ProjectContainer[] {
  return (JSON.parse(json) as RawProjectInspect[])
    .filter((c) => c.State.Running)
    .map((c) => ({
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      service: c.Config.Labels?.['com.docker.compose.service'] ?? '',
      pid: c.State.Pid,
      ips: Object.values(c.NetworkSettings.Networks ?? {}).map((n) => n.IPAddress ?? '').filter(Boolean),
    }));
}

/** Every running container of the project, with the pid of its network namespace and its IPs. */
export async function projectContainers(project: string): Promise<ProjectContainer[]> {
  const ids = await $`docker ps --quiet --no-trunc --filter ${`label=com.docker.compose.project=${project}`}`.quiet().timeout(DOCKER_CALL_TIMEOUT);
  const list = ids.stdout.split('\n').filter(Boolean);
  if (!list.length) return [];
  const out = await $`docker inspect ${list}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT);
  if (out.exitCode === 0) return parseProjectInspect(out.stdout);
  // One exited between the two calls: inspect the rest one by one.
  const each = await Promise.all(list.map((id) => $`docker inspect ${id}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT)));
  return each.filter((o) => o.exitCode === 0).flatMap((o) => parseProjectInspect(o.stdout));
}

export function parseInspect(json: string): ContainerInfo[] {
  return (JSON.parse(json) as RawInspect[]).map((c) => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config.Image,
    status: c.State.Status,
    health: c.State.Health?.Status ?? '',
    restarts: c.RestartCount,
    probesTimedOut: onlyTimeouts(c.State.Health?.Log),
  }));
}

/** Every container (stopped ones too) of one compose service of one project. */
export async function serviceContainers(project: string, service: string): Promise<ContainerInfo[]> {
  const ids = await $`docker ps --all --quiet --no-trunc --filter ${`label=com.docker.compose.project=${project}`} --filter ${`label=com.docker.compose.service=${service}`}`.quiet().timeout(DOCKER_CALL_TIMEOUT);
  const list = ids.stdout.split('\n').filter(Boolean);
  if (!list.length) return [];
  const out = await $`docker inspect ${list}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT);
  // A container removed between the two calls makes inspect fail for it alone; retry without it.
  if (out.exitCode !== 0) return (await Promise.all(list.map((id) => inspectOne(id)))).filter((c): c is ContainerInfo => Boolean(c));
  return parseInspect(out.stdout);
}

/** The container, or undefined when it no longer exists; EngineSlow when the engine did not answer. */
export async function inspectOne(id: string): Promise<ContainerInfo | undefined> {
  const out = await $`docker inspect ${id}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT);
  if (out.signal) throw new EngineSlow(`docker inspect did not answer within ${DOCKER_CALL_TIMEOUT}`);
  return out.exitCode === 0 ? parseInspect(out.stdout)[0] : undefined;
}

export type Readiness = 'ready' | 'waiting' | 'failed';

/**
 * Verdict on a starting container: ready when healthy (or running without a healthcheck), failed
 * when it is gone, crash-looping, or reported unhealthy by a probe that answered; otherwise keep
 * waiting (pure). An "unhealthy" made only of probes that ran out of time is not a verdict: on a
 * saturated machine `docker exec` alone can outlast the probe's timeout, so the deploy keeps
 * waiting for one probe to get through, bounded by its own --timeout.
 */
export function readiness(c: ContainerInfo | undefined, maxRestarts = 2): { verdict: Readiness; reason?: string } {
  if (!c) return { verdict: 'failed', reason: 'the new container disappeared' };
  if (c.restarts > maxRestarts) return { verdict: 'failed', reason: `the new container crashed ${c.restarts} times` };
  if (c.status === 'exited' || c.status === 'dead') return { verdict: 'failed', reason: `the new container ${c.status}` };
  if (c.health === 'unhealthy' && !c.probesTimedOut) return { verdict: 'failed', reason: 'the new container reports unhealthy' };
  if (c.status === 'running' && (c.health === 'healthy' || c.health === '')) return { verdict: 'ready' };
  return { verdict: 'waiting' };
}

/** Polls until the container is ready; throws with the reason when it fails or time runs out. */
export async function waitReady(id: string, timeoutSeconds: number): Promise<number> {
  const started = performance.now();
  const deadline = started + timeoutSeconds * 1000;
  while (performance.now() < deadline) {
    let info: ContainerInfo | undefined;
    try {
      info = await inspectOne(id);
    } catch (err) {
      if (!(err instanceof EngineSlow)) throw err;
      continue; // no answer is not an answer: ask again until the deadline
    }
    const { verdict, reason } = readiness(info);
    if (verdict === 'ready') return (performance.now() - started) / 1000;
    if (verdict === 'failed') throw new OperationError(reason ?? 'the new container failed');
    await sleep(500);
  }
  throw new OperationError(`the new container was not healthy within ${timeoutSeconds}s`);
}

/** SIGTERM, up to `graceSeconds` for in-flight requests, then removal. */
export async function stopAndRemove(id: string, graceSeconds: number): Promise<void> {
  await $`docker stop --time ${String(graceSeconds)} ${id}`.quiet().nothrow().timeout(`${graceSeconds + 30}s`);
  await $`docker rm --force ${id}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT);
}

export async function containerLogs(id: string, lines = 30): Promise<string> {
  const out = await $`docker logs --tail ${String(lines)} ${id}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT);
  return `${out.stdout}${out.stderr}`.trim() || '(no log output)';
}

/** The last health check outputs Docker kept (why a container is not healthy), one line each. */
export async function healthLog(id: string): Promise<string> {
  const out = await $`docker inspect --format ${'{{json .State.Health}}'} ${id}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT);
  if (out.exitCode !== 0) return '';
  try {
    const health = JSON.parse(out.stdout) as { Log?: Array<{ ExitCode: number; Output: string }> } | null;
    return (health?.Log ?? []).map((entry) => `exit ${entry.ExitCode}: ${entry.Output.trim().split('\n').slice(-1)[0] ?? ''}`).join('\n');
  } catch {
    return '';
  }
}

export async function imageExists(image: string): Promise<boolean> {
  const out = await $`docker image inspect ${image}`.quiet().nothrow().timeout(DOCKER_CALL_TIMEOUT);
  return out.exitCode === 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
