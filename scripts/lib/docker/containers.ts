// Containers as the scripts see them: compose's list of a project's containers, Docker's inspect
// of one or several, and the one readiness rule that health, wait and deploy share. The security
// facts `make audit` judges are read in security.ts.
import type { Duration } from 'zx/core';
import { lastLine } from '../errors.ts';
import { type ComposeContext, DOCKER_CALL_TIMEOUT, EngineSlow, compose, docker } from './client.ts';
import { inspectProjectOverSocket } from './engine-api.ts';

/** What compose ps knows of a container (one row of `compose ps`). */
export interface ContainerState {
  id: string;
  service: string;
  name: string;
  status: string; // running, restarting, exited, created ...
  health: string; // healthy, unhealthy, starting, '' (no healthcheck)
  exitCode: number;
  /** Host ports this container publishes now. */
  publishedPorts: number[];
}

/**
 * The container as Docker's inspect shows it (deploy, health, the switch): compose's facts plus the
 * exact image, restart count, start time, the last probes, and its network namespace and addresses.
 */
export interface ContainerInfo extends Omit<ContainerState, 'exitCode' | 'publishedPorts'> {
  image: string;
  restarts: number;
  running: boolean;
  startedAt: string;
  /** Docker's last probes all ran out of time (inconclusive on a saturated machine), none said no. */
  probesTimedOut: boolean;
  /** The pid whose network namespace the container uses (0 when stopped). */
  pid: number;
  ips: string[];
}

/** Containers of the project, stopped ones included (compose ps prints one JSON object a line). */
export async function listContainers(ctx: ComposeContext): Promise<ContainerState[]> {
  const out = await compose(ctx, ['ps', '--all', '--format', 'json'], { timeout: '20s' });
  return parsePsOutput(out.stdout);
}

export function parsePsOutput(text: string): ContainerState[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  // Compose < 2.21 printed one JSON array; newer versions print one object per line.
  const rows: Array<Record<string, unknown>> = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split('\n').map((line) => JSON.parse(line));
  return rows.map((row) => ({
    id: String(row.ID),
    service: String(row.Service),
    name: String(row.Name),
    status: String(row.State),
    health: String(row.Health ?? ''),
    exitCode: Number(row.ExitCode ?? 0),
    publishedPorts: ((row.Publishers as Array<{ PublishedPort?: number }> | null) ?? []).map((p) => Number(p.PublishedPort)).filter((p) => p > 0),
  }));
}

type ProbeLog = Array<{ ExitCode: number; Output: string }>;

interface RawInspect {
  Id: string;
  Name: string;
  RestartCount: number;
  Config: { Image: string; Labels?: Record<string, string> | null };
  State: { Status: string; Running: boolean; StartedAt: string; Pid: number; Health?: { Status: string; Log?: ProbeLog } };
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> };
}

/**
 * A probe that ran out of time, not one that was answered "no": Docker marks a probe killed at its
 * timeout with exit -1 and "exceeded timeout"; services/probe/http-health.sh stops waiting itself
 * (HEALTH_ANSWER_SECONDS) and says "answered nothing within". Both mean slow, so both keep a deploy
 * waiting on a saturated machine instead of failing it.
 */
function timedOut(e: ProbeLog[number]): boolean {
  return (e.ExitCode === -1 && /exceeded timeout/i.test(e.Output)) || /answered nothing within/.test(e.Output);
}

function onlyTimeouts(log: ProbeLog | undefined): boolean {
  const recent = (log ?? []).slice(-2);
  return recent.length > 0 && recent.every(timedOut);
}

export function parseInspect(json: string): ContainerInfo[] {
  return (JSON.parse(json) as RawInspect[]).map((c) => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    service: c.Config.Labels?.['com.docker.compose.service'] ?? '',
    image: c.Config.Image,
    status: c.State.Status,
    health: c.State.Health?.Status ?? '',
    restarts: c.RestartCount,
    running: c.State.Running,
    startedAt: c.State.StartedAt,
    probesTimedOut: onlyTimeouts(c.State.Health?.Log),
    pid: c.State.Pid,
    ips: Object.values(c.NetworkSettings?.Networks ?? {})
      .map((n) => n.IPAddress ?? '')
      .filter(Boolean),
  }));
}

/** One `docker inspect` of several containers, as text; undefined when the call fails (one of them is gone). */
async function inspectText(ids: string[], timeout: Duration = DOCKER_CALL_TIMEOUT): Promise<string | undefined> {
  const out = await docker(['inspect', ...ids], timeout).nothrow();
  return out.exitCode === 0 ? out.stdout : undefined;
}

/** One `docker inspect` of several containers; undefined when the call fails (one of them is gone). */
export async function inspectContainers(ids: string[], timeout: Duration = DOCKER_CALL_TIMEOUT): Promise<ContainerInfo[] | undefined> {
  const text = await inspectText(ids, timeout);
  return text === undefined ? undefined : parseInspect(text);
}

/** The container, or undefined when it no longer exists; EngineSlow when the engine did not answer. */
export async function inspectOne(id: string): Promise<ContainerInfo | undefined> {
  const out = await docker(['inspect', id]).nothrow();
  if (out.signal) throw new EngineSlow(`docker inspect did not answer within ${DOCKER_CALL_TIMEOUT}`);
  return out.exitCode === 0 ? parseInspect(out.stdout)[0] : undefined;
}

const projectFilter = (project: string) => ['--filter', `label=com.docker.compose.project=${project}`];
const serviceFilter = (service: string) => ['--filter', `label=com.docker.compose.service=${service}`];

/** Every container (stopped ones too) of one compose service of one project. */
export async function serviceContainers(project: string, service: string): Promise<ContainerInfo[]> {
  const ids = await docker(['ps', '--all', '--quiet', '--no-trunc', ...projectFilter(project), ...serviceFilter(service)]);
  const list = ids.stdout.split('\n').filter(Boolean);
  if (!list.length) return [];
  const all = await inspectContainers(list);
  // A container removed between the two calls makes inspect fail for it alone; retry without it.
  if (!all) return (await Promise.all(list.map((id) => inspectOne(id)))).filter((c): c is ContainerInfo => Boolean(c));
  return all;
}

/**
 * Inspect texts of the project's running containers (or all, stopped ones too, without compose's
 * one-off `run` containers, as `compose ps --all` lists them): one text for all, or one each when
 * one went away between the calls.
 */
export async function inspectTexts(project: string, which: 'running' | 'all' = 'running'): Promise<string[]> {
  const all = which === 'all' ? ['--all', '--filter', 'label=com.docker.compose.oneoff=False'] : [];
  const ids = await docker(['ps', '--quiet', '--no-trunc', ...all, ...projectFilter(project)]);
  const list = ids.stdout.split('\n').filter(Boolean);
  if (!list.length) return [];
  const text = await inspectText(list);
  if (text !== undefined) return [text];
  // One went away between the two calls: inspect the rest one by one.
  return (await Promise.all(list.map((id) => inspectText([id])))).filter((t): t is string => t !== undefined);
}

/**
 * Every container of the project, stopped ones too, newest first (docker ps's order): over the
 * engine's socket when the CLI uses it (engine-api.ts), else one `docker ps` and one `docker inspect`
 * (where `compose ps` plus an inspect cost a compose start, half a second).
 */
export async function allProjectContainers(project: string): Promise<ContainerInfo[]> {
  const fast = await inspectProjectOverSocket(project);
  return fast !== undefined ? parseInspect(fast) : (await inspectTexts(project, 'all')).flatMap(parseInspect);
}

/** The same, of these services only: over the socket only theirs are inspected. */
export async function serviceSetContainers(project: string, services: Iterable<string>): Promise<ContainerInfo[]> {
  const wanted = new Set(services);
  const fast = await inspectProjectOverSocket(project, undefined, wanted);
  return (fast !== undefined ? parseInspect(fast) : (await inspectTexts(project, 'all')).flatMap(parseInspect)).filter((c) => wanted.has(c.service));
}

/** The id of each service's running container (the newest when one runs several), by service. */
export async function runningContainerByService(project: string): Promise<Record<string, string>> {
  const byService: Record<string, string> = {};
  // Newest first: the first running one of a service is its newest.
  for (const c of await allProjectContainers(project)) if (c.running && c.service && !(c.service in byService)) byService[c.service] = c.id;
  return byService;
}

/** Names of the project's volumes; throws when the engine does not answer. */
export async function projectVolumes(project: string): Promise<string[]> {
  const volumes = await docker(['volume', 'ls', '--quiet', ...projectFilter(project)], '20s');
  return volumes.stdout.trim().split('\n').filter(Boolean);
}

export type Readiness = 'ready' | 'waiting' | 'failed';

/** What the rule reads; `restarts` and `probesTimedOut` come from inspect, compose ps has neither. */
export type Judged = Pick<ContainerState, 'status' | 'health'> & { restarts?: number; probesTimedOut?: boolean };

/**
 * The one readiness rule (pure), shared by health, wait and deploy: ready when running and healthy
 * (or running without a healthcheck); failed when it is gone, crash-looping, exited, or reported
 * unhealthy by a probe that answered; otherwise keep waiting. An "unhealthy" made only of probes
 * that ran out of time is not a verdict: on a saturated machine `docker exec` alone can outlast the
 * probe's timeout, so a deploy keeps waiting for one probe to get through, bounded by its own
 * --timeout. Without a restart count (compose ps) a restarting container counts as crash-looping.
 */
export function readiness(c: Judged | undefined, maxRestarts = 2): { verdict: Readiness; reason?: string } {
  if (!c) return { verdict: 'failed', reason: 'the new container disappeared' };
  if (c.restarts !== undefined && c.restarts > maxRestarts) return { verdict: 'failed', reason: `the new container crashed ${c.restarts} times` };
  if (c.restarts === undefined && c.status === 'restarting') return { verdict: 'failed', reason: 'the container keeps restarting' };
  if (c.status === 'exited' || c.status === 'dead') return { verdict: 'failed', reason: `the new container ${c.status}` };
  if (c.health === 'unhealthy' && !c.probesTimedOut) return { verdict: 'failed', reason: 'the new container reports unhealthy' };
  if (c.status === 'running' && (c.health === 'healthy' || c.health === '')) return { verdict: 'ready' };
  return { verdict: 'waiting' };
}

/** SIGTERM, up to `graceSeconds` for in-flight requests, then removal. */
export async function stopAndRemove(id: string, graceSeconds: number): Promise<void> {
  await docker(['stop', '--time', String(graceSeconds), id], `${graceSeconds + 30}s`).nothrow();
  await docker(['rm', '--force', id]).nothrow();
}

export async function containerLogs(id: string, lines = 30): Promise<string> {
  const out = await docker(['logs', '--tail', String(lines), id]).nothrow();
  return `${out.stdout}${out.stderr}`.trim() || '(no log output)';
}

/** The last health check outputs Docker kept (why a container is not healthy), one line each. */
export async function healthLog(id: string): Promise<string> {
  const out = await docker(['inspect', '--format', '{{json .State.Health}}', id]).nothrow();
  if (out.exitCode !== 0) return '';
  try {
    const health = JSON.parse(out.stdout) as { Log?: ProbeLog } | null;
    return (health?.Log ?? []).map((entry) => `exit ${entry.ExitCode}: ${lastLine(entry.Output)}`).join('\n');
  } catch {
    return '';
  }
}
