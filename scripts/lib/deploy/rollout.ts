// Replacing services' containers with a new version. Rolling: the new container starts beside
// the old one through compose itself (`up --scale N+1 --no-recreate`, so it gets compose's labels,
// networks and DNS alias), must become healthy, then every proxy in front of the service must be
// seen using it (switch.ts) before the old one gets its stop signal, stops accepting and finishes
// its in-flight requests. The services of one wave (plan.ts) move side by side: one compose call
// starts all their new containers and one poll waits for them. Recreate (single-writer stores):
// stop, then start, with the image already built so the gap is only the container start.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import { type ComposeContext, compose } from '../docker/client.ts';
import { type ContainerInfo, containerLogs, healthLog, serviceContainers, serviceSetContainers, stopAndRemove } from '../docker/containers.ts';
import { OperationError, failureOf, lastLine } from '../errors.ts';
import { info } from '../output.ts';
import { projectFiles } from '../state/files.ts';
import type { DeployStep } from './plan.ts';
import { sleep, waitAllReady } from './containers.ts';
import { RESOLVER_REFRESH_MS, SwitchNotProven, inFlightNow, proveSwitch } from './switch.ts';

export interface RolloutOptions {
  ctx: ComposeContext;
  project: string;
  /** Compose variables for this run: every deployed version plus the new one of each service moved. */
  env: Record<string, string>;
  timeoutSeconds: number;
  /** How long the proxies may take to be seen using the new container before the deploy gives up. */
  switchTimeoutSeconds: number;
  graceSeconds: number;
  /** Extra compose files layered onto the new container (e.g. a config to try). */
  overrides: string[];
}

/** Services of a wave that did not move, each with why; the others run their new container. */
export type WaveFailures = Map<string, Error>;

/** Each switch proof reads every project container's TCP table ten times a second: a few at a time. */
const SWITCHES_AT_ONCE = 4;

function runCompose(opts: RolloutOptions, extraFiles: string[], args: string[]) {
  return compose({ ...opts.ctx, env: opts.env }, args, { files: [...extraFiles, ...opts.overrides] }).nothrow();
}

/** A compose override that removes the service's published ports (first hop of a two-hop swap). */
function portlessOverride(project: string, service: string): string {
  const file = projectFiles(project).portlessOverride(service);
  mkdirSync(path.dirname(file), { recursive: true });
  // `!reset` (Compose >= 2.24) drops the base file's list instead of merging into it.
  writeFileSync(
    file,
    `# Written by scripts/deploy.ts: first container of a two-hop rolling deploy runs without host ports.\nservices:\n  ${JSON.stringify(service)}:\n    ports: !reset []\n`,
  );
  return file;
}

/**
 * Removes new containers that will not serve, and returns the error that says why, with the logs
 * of the first (`container`, the one that failed, when known).
 */
async function discardCandidates(containers: ContainerInfo[], reason: string, service: string, container = containers[0]): Promise<OperationError> {
  const logs = await containerLogs(container.id);
  const checks = await healthLog(container.id);
  await Promise.all(containers.map((c) => stopAndRemove(c.id, 5)));
  const details = [
    `--- last log lines of the new ${service} container (${container.name}) ---`,
    logs,
    ...(checks ? ['--- its last health checks ---', checks] : []),
  ];
  const what = containers.length > 1 ? `the ${containers.length} new ${service} containers were` : `the new ${service} container was`;
  return new OperationError(`${reason}; ${what} removed and the old one keeps serving`, 1, details.join('\n'));
}

/**
 * Starts a new set of containers of each service (as many as it runs replicas) beside the serving
 * ones with the current compose config, in one compose call, and returns the new ones; a service
 * whose containers did not all start is in `failures`.
 */
async function startBeside(
  opts: RolloutOptions,
  steps: DeployStep[],
  hop: number,
  serving: Map<string, ContainerInfo[]>,
  failures: WaveFailures,
): Promise<Map<string, ContainerInfo[]>> {
  const portless = steps.filter((s) => hop < s.hops).map((s) => portlessOverride(opts.project, s.service));
  // No --no-deps: compose would drop depends_on from the config it hashes, and the next full
  // `compose up` (make start) would then see the container as changed and recreate it.
  // --no-recreate leaves the running dependencies (and the old containers) exactly as they are.
  const scale = steps.flatMap((s) => ['--scale', `${s.service}=${(serving.get(s.service)?.length ?? 0) + s.replicas}`]);
  const up = await runCompose(opts, portless, ['up', '--detach', '--no-recreate', '--no-build', ...scale, ...steps.map((s) => s.service)]).timeout('180s');
  const known = new Set([...serving.values()].flat().map((c) => c.id));
  const after = await serviceSetContainers(
    opts.project,
    steps.map((s) => s.service),
  );
  const started = new Map<string, ContainerInfo[]>();
  for (const step of steps) {
    const { service } = step;
    const fresh = after.filter((c) => c.service === service && !known.has(c.id));
    if (up.exitCode !== 0) {
      const reason = `starting a new ${service} container failed: ${lastLine(up.stderr)}`;
      failures.set(service, fresh.length ? await discardCandidates(fresh, reason, service) : new OperationError(`${reason}; the old one keeps serving`));
    } else if (fresh.length !== step.replicas) {
      failures.set(service, new OperationError(`expected ${step.replicas} new ${service} container(s), compose created ${fresh.length}`));
    } else {
      started.set(service, fresh);
      info(
        `  ${service}: new container${fresh.length > 1 ? 's' : ''} ${fresh.map((c) => c.name).join(', ')} started${hop < step.hops ? ' (without host ports)' : ''}, waiting for health`,
      );
    }
  }
  return started;
}

/** Replaces one stateless service's container (restart, a deploy of one service). */
export async function rollingReplace(opts: RolloutOptions, step: DeployStep): Promise<void> {
  const failure = (await rollingReplaceAll(opts, [step])).get(step.service);
  if (failure) throw failure;
}

/**
 * Replaces the containers of a wave of stateless services side by side. A service that fails keeps
 * its old container and does not stop the others: they are already starting.
 */
export async function rollingReplaceAll(opts: RolloutOptions, steps: DeployStep[]): Promise<WaveFailures> {
  const failures: WaveFailures = new Map();
  // The wave's own containers, and below its proxies': a large system's others are not read.
  const all = await serviceSetContainers(
    opts.project,
    steps.map((s) => s.service),
  );
  const inWave = (c: ContainerInfo) => steps.some((s) => s.service === c.service);
  // Stopped leftovers would be restarted by `up` instead of a new container being created.
  await Promise.all(all.filter((c) => inWave(c) && c.status !== 'running').map((c) => stopAndRemove(c.id, 1)));
  const serving = new Map(steps.map((s) => [s.service, all.filter((c) => c.service === s.service && c.status === 'running')]));
  for (const step of steps.filter((s) => !serving.get(s.service)?.length)) {
    // nothing is serving, so nothing to keep serving
    const failure = await failureOf(() => recreate(opts, step));
    if (failure) failures.set(step.service, failure);
  }
  let active = steps.filter((s) => serving.get(s.service)?.length);
  for (let hop = 1; active.length; hop++) {
    const started = await startBeside(opts, active, hop, serving, failures);
    const waits = await waitAllReady(
      [...started.values()].flat().map((c) => c.id),
      opts.timeoutSeconds,
    );
    const ready: Array<[DeployStep, ContainerInfo[]]> = [];
    for (const [service, candidates] of started) {
      const outcomes = candidates.map((c) => ({ container: c, wait: waits.get(c.id) ?? { error: 'no answer' } }));
      const failed = outcomes.find((o) => 'error' in o.wait);
      if (failed && 'error' in failed.wait) {
        failures.set(service, await discardCandidates(candidates, failed.wait.error, service, failed.container));
        continue;
      }
      const slowest = Math.max(...outcomes.map((o) => ('seconds' in o.wait ? o.wait.seconds : 0)));
      info(`  ${service}: ${candidates.map((c) => c.name).join(', ')} healthy after ${slowest.toFixed(1)}s`);
      ready.push([active.find((s) => s.service === service) as DeployStep, candidates]);
    }
    const running = (await serviceSetContainers(opts.project, [...active.map((s) => s.service), ...active.flatMap((s) => s.proxies)])).filter((c) => c.running);
    const limit = pLimit(SWITCHES_AT_ONCE);
    await Promise.all(
      ready.map(([step, candidates]) =>
        limit(async () => {
          const failure = await failureOf(() => switchTraffic(opts, step, running, serving.get(step.service) ?? [], candidates));
          if (failure) failures.set(step.service, failure);
          else serving.set(step.service, candidates);
        }),
      ),
    );
    active = active.filter((s) => !failures.has(s.service) && hop < s.hops);
  }
  return failures;
}

/**
 * The switch: proxies proven to use the new containers, then each old one gets its stop signal
 * (stops accepting; the proxies retry a refused connection on the new address) and is removed once
 * its in-flight requests are done: a docker stop returns when the process exits, and the grace
 * period is only the upper bound. The one fixed wait is between two old replicas (below).
 */
async function switchTraffic(
  opts: RolloutOptions,
  step: DeployStep,
  running: ContainerInfo[],
  serving: ContainerInfo[],
  candidates: ContainerInfo[],
): Promise<void> {
  const { service, proxies } = step;
  const fresh = running.filter((c) => candidates.some((n) => n.id === c.id));
  const old = running.filter((c) => serving.some((s) => s.id === c.id));
  const names = candidates.map((c) => c.name).join(', ');
  if (fresh.length) {
    try {
      const proof = await proveSwitch({ containers: running, proxyNames: proxies, old, fresh, timeoutSeconds: opts.switchTimeoutSeconds });
      const seen = proof.proxies.map((p) => `${p.proxy} ${p.toNew} to new, ${p.toOld} to old`).join('; ');
      if (proof.method === 'timed')
        info(`  ${service}: the containers' TCP tables cannot be read here; waited ${proof.seconds.toFixed(1)}s for the proxies' DNS caches instead`);
      else
        info(`  ${service}: switch proven in ${proof.seconds.toFixed(1)}s (${proxies.length ? seen || `${proxies.join(', ')}: idle` : 'no proxy in front'})`);
    } catch (err) {
      if (err instanceof SwitchNotProven) throw await discardCandidates(candidates, `the switch to ${names} was not proven: ${err.message}`, service);
      throw err;
    }
  }
  for (const [i, c] of serving.entries()) {
    // An exited container's address stays in a proxy's DNS cache for up to RESOLVER_REFRESH_MS, and
    // a request sent there waits out the connect timeout before its next try: with several old
    // replicas gone at once, all three tries of one request could land on dead addresses (a 504,
    // seen scaling 3 -> 1). One at a time, a cache holds at most one dead address.
    if (i > 0) await sleep(RESOLVER_REFRESH_MS);
    const inFlight = inFlightNow(old.filter((o) => o.id === c.id));
    info(
      `  ${service}: stopping ${c.name}: it stops accepting${inFlight === undefined ? '' : `, ${inFlight} request(s) in flight`}; up to ${opts.graceSeconds}s to finish them`,
    );
    const started = performance.now();
    await stopAndRemove(c.id, opts.graceSeconds);
    info(`  ${service}: ${c.name} drained and removed in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
}

/** Stop-then-start for services that must never run twice; on failure the previous version is restarted. */
export async function recreate(opts: RolloutOptions, step: DeployStep, previousEnv?: Record<string, string>): Promise<void> {
  const { service } = step;
  const args = ['up', '--detach', '--no-deps', '--no-build', '--wait', '--wait-timeout', String(opts.timeoutSeconds), service];
  const up = await runCompose(opts, [], args).timeout(`${opts.timeoutSeconds + 120}s`);
  if (up.exitCode === 0) return;
  const current = (await serviceContainers(opts.project, service))[0];
  const logs = current ? await containerLogs(current.id) : '(no container)';
  let restored = 'no previous version to restore';
  if (previousEnv) {
    const back = await runCompose({ ...opts, env: previousEnv, overrides: [] }, [], args).timeout(`${opts.timeoutSeconds + 120}s`);
    restored = back.exitCode === 0 ? 'the previous version was started again' : 'restarting the previous version failed too';
  }
  throw new OperationError(
    `the new ${service} was not healthy within ${opts.timeoutSeconds}s; ${restored}`,
    1,
    `--- last log lines of the new ${service} container ---\n${logs}`,
  );
}
