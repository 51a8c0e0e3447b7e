// Helpers for crash and hang tests: the watcher for a TestStack (the stack's own `watcher` service
// when the compose files have one, else the same image run beside it with the project's label so
// `compose down --remove-orphans` removes it; the image runs as non-root, so it joins the socket's
// group), container PIDs, and bounded waits for recovery.
import { readFileSync } from 'node:fs';
import { $ } from 'zx';
import { ADMIN_AUTH_LABEL, adminAuthHeaders } from '../../scripts/lib/admin-auth.ts';
import { readEnvText } from '../../scripts/lib/env.ts';
import { ENGINE_SOCKET, engineSocketGroup } from '../../scripts/lib/engine.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { type TestStack, explain, freePort, savedStack } from './stack.ts';

export interface ContainerStatus {
  id: string;
  pid: number;
  status: string;
  health: string;
  startedAt: string;
  restarts: number;
}

export async function serviceContainer(stack: TestStack, service: string): Promise<ContainerStatus | undefined> {
  const ids =
    await $`docker ps --all --quiet --filter ${`label=com.docker.compose.project=${stack.project}`} --filter ${`label=com.docker.compose.service=${service}`}`
      .quiet()
      .timeout('20s');
  const id = ids.stdout.trim().split('\n').filter(Boolean)[0];
  if (!id) return undefined;
  const out =
    await $`docker inspect --format ${'{{.Id}} {{.State.Pid}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.StartedAt}} {{.RestartCount}}'} ${id}`
      .quiet()
      .nothrow()
      .timeout('20s');
  if (out.exitCode !== 0) return undefined;
  const [cid, pid, status, health, startedAt, restarts] = out.stdout.trim().split(' ');
  return { id: cid, pid: Number(pid), status, health, startedAt, restarts: Number(restarts) };
}

/**
 * Polls until the service's container runs healthy, was (re)started after `after` (its StartedAt
 * changed) and `probeUrl` (when given) answers 200. Returns the seconds waited; throws after `maxSeconds`.
 */
export async function waitRecovered(
  stack: TestStack,
  service: string,
  previousStart: string,
  probeUrl: string | undefined,
  maxSeconds: number,
): Promise<number> {
  const started = performance.now();
  let last: ContainerStatus | undefined;
  while ((performance.now() - started) / 1000 < maxSeconds) {
    last = await serviceContainer(stack, service);
    if (last && last.status === 'running' && last.health === 'healthy' && last.startedAt !== previousStart) {
      if (!probeUrl) return (performance.now() - started) / 1000;
      const ok = await fetch(probeUrl, { signal: AbortSignal.timeout(3000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return (performance.now() - started) / 1000;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service} did not recover within ${maxSeconds}s; last seen ${JSON.stringify(last)}`);
}

function stackImageEnv(stack: TestStack): Record<string, string> {
  return savedStack(stack.project).env;
}

/** The metrics URL of a watcher guarding the stack's project. */
export async function ensureWatcher(stack: TestStack, sweepSeconds = 5): Promise<string> {
  const own = await serviceContainer(stack, 'watcher');
  if (own && stack.ports.WATCHER_PORT) return stack.url('WATCHER_PORT', '/metrics');
  const pythonImage = stackImageEnv(stack).PYTHON_IMAGE ?? 'python:3.13-slim-bookworm';
  const image = 'galaxy/watcher:test';
  await $({
    cwd: projectRoot,
    quiet: true,
  })`docker build --quiet --build-arg ${`PYTHON_IMAGE=${pythonImage}`} -f services/watcher/Dockerfile -t ${image} services`.timeout('600s');
  const port = await freePort();
  await $({
    quiet: true,
  })`docker run --detach --name ${`${stack.project}-watcher-test`} --label ${`com.docker.compose.project=${stack.project}`} --label com.docker.compose.service=watcher-test -v ${`${ENGINE_SOCKET}:/var/run/docker.sock`} --group-add ${engineSocketGroup() ?? '0'} -e ${`WATCH_PROJECT=${stack.project}`} -e ${`SWEEP_SECONDS=${sweepSeconds}`} -p ${`127.0.0.1:${port}:9102`} ${image}`.timeout(
    '60s',
  );
  const url = `http://127.0.0.1:${port}/metrics`;
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (
      await fetch(url.replace('/metrics', '/health'), { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      )
    )
      return url;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('the test watcher did not answer /health within 30s');
}

/** The watcher's metrics text: the stack's own watcher asks for the admin credentials of its .env. */
export async function watcherMetrics(stack: TestStack, url: string): Promise<string> {
  const { values } = readEnvText(readFileSync(stack.envFile, 'utf8'));
  const response = await fetch(url, { headers: adminAuthHeaders({ labels: { [ADMIN_AUTH_LABEL]: 'basic' } }, values), signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}

/** Removes the watcher ensureWatcher started beside the stack (no-op for the stack's own). */
export async function removeTestWatcher(stack: TestStack): Promise<void> {
  await $({ quiet: true, nothrow: true })`docker rm --force ${`${stack.project}-watcher-test`}`.timeout('30s');
}

/**
 * A watcher with a fresh restart budget (it restarts a container at most 3 times in 10 minutes, a
 * crash-loop guard that a series of hangs would hit): the test watcher removed, the stack's own
 * restarted, then ensured and, with `service`, watching it (waitWatching). Returns its metrics URL.
 */
export async function freshWatcher(stack: TestStack, service?: string): Promise<string> {
  await removeTestWatcher(stack);
  if (await serviceContainer(stack, 'watcher')) {
    const out = await stack.compose(['restart', 'watcher']);
    if (out.exitCode !== 0) throw new Error(`compose restart watcher failed: ${explain(out)}`);
  }
  const url = await ensureWatcher(stack);
  if (service) await waitWatching(stack, url, service);
  return url;
}

const ARMED = 'galaxy_watcher_liveness_armed';

/**
 * Waits until a (re)started watcher watches `service` as it would have all along: its first
 * liveness round is done (every container it can reach has a galaxy_watcher_liveness_armed line,
 * all from the same round) and, when the service is among them, its URL has answered (1: its
 * silence now counts). A service it cannot reach has no line: Docker's checks alone guard it.
 * Without this a fault right after the watcher's restart meets a watcher that has not looked yet.
 */
export async function waitWatching(stack: TestStack, metricsUrl: string, service: string, maxSeconds = 30): Promise<void> {
  const deadline = performance.now() + maxSeconds * 1000;
  let text = '';
  while (performance.now() < deadline) {
    text = await watcherMetrics(stack, metricsUrl).catch(() => '');
    const lines = text.split('\n').filter((l) => l.startsWith(`${ARMED}{`));
    const own = lines.find((l) => l.includes(`service="${service}"`));
    if (lines.length > 0 && (own === undefined || own.trimEnd().endsWith(' 1'))) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `the watcher was not watching ${service} within ${maxSeconds}s: ${
      text
        .split('\n')
        .filter((l) => l.startsWith(ARMED))
        .join('; ') || 'no liveness round yet'
    }`,
  );
}

/** The services the compose files label galaxy.autoheal=true (the watcher guards them), in compose's order. */
export async function guardedServices(stack: TestStack): Promise<string[]> {
  const out = await stack.compose(['config', '--format', 'json']);
  if (out.exitCode !== 0) throw new Error(`compose config failed: ${explain(out)}`);
  const { services } = JSON.parse(out.stdout) as { services: Record<string, { labels?: Record<string, string> }> };
  return Object.entries(services)
    .filter(([, s]) => s.labels?.['galaxy.autoheal'] === 'true')
    .map(([name]) => name);
}

/** Waits until every one of `services` runs healthy (after one heal, before the next fault); throws after `maxSeconds`. */
export async function waitAllHealthy(stack: TestStack, services: string[], maxSeconds: number): Promise<void> {
  const started = performance.now();
  let waiting: string[] = services;
  while ((performance.now() - started) / 1000 < maxSeconds) {
    const states = await Promise.all(services.map((s) => serviceContainer(stack, s)));
    waiting = services.filter((_s, i) => states[i]?.health !== 'healthy');
    if (!waiting.length) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`not healthy within ${maxSeconds}s: ${waiting.join(', ')}`);
}

export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (want.every((pair) => inside.split(',').includes(pair))) return Number(line.slice(line.indexOf('}') + 1).trim());
  }
  return 0;
}

/**
 * The host PIDs of every process in the container (`docker top`). A hang is every one of them
 * frozen: nginx's workers serve on while only their master is stopped, and a postmaster's children
 * keep running, so stopping the main process alone would not hang those services.
 */
export async function containerPids(containerId: string): Promise<number[]> {
  const out = await $({ quiet: true })`docker top ${containerId} -o pid`.timeout('20s');
  return out.stdout
    .split('\n')
    .slice(1)
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** Freezes (SIGSTOP) or thaws (SIGCONT) every process of the container; returns the PIDs signalled. */
export async function signalAll(containerId: string, signal: 'SIGSTOP' | 'SIGCONT', pids?: number[]): Promise<number[]> {
  const targets = pids ?? (await containerPids(containerId));
  for (const pid of targets) {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone meanwhile: the container was restarted */
    }
  }
  return targets;
}
