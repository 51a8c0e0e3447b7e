// Replacing one service's container with a new version. Rolling: the new container starts beside
// the old one through compose itself (`up --scale N+1 --no-recreate`, so it gets compose's labels,
// networks and DNS alias), must become healthy, then every proxy in front of the service must be
// seen using it (switch.ts) before the old one gets its stop signal, stops accepting and finishes
// its in-flight requests. Recreate (single-writer stores): stop, then start, with the image
// already built so the gap is only the container start.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ComposeContext, compose } from '../docker/client.ts';
import { type ContainerInfo, containerLogs, healthLog, projectContainers, serviceContainers, stopAndRemove } from '../docker/containers.ts';
import { OperationError, lastLine } from '../errors.ts';
import { info } from '../output.ts';
import { projectFiles } from '../state/files.ts';
import type { DeployStep } from './plan.ts';
import { waitReady } from './containers.ts';
import { SwitchNotProven, inFlightNow, proveSwitch } from './switch.ts';

export interface RolloutOptions {
  ctx: ComposeContext;
  project: string;
  step: DeployStep;
  /** Compose variables for this run: every deployed version plus the target's new one. */
  env: Record<string, string>;
  timeoutSeconds: number;
  /** How long the proxies may take to be seen using the new container before the deploy gives up. */
  switchTimeoutSeconds: number;
  graceSeconds: number;
  /** Extra compose files layered onto the new container (e.g. a config to try). */
  overrides: string[];
}

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

async function failWithLogs(container: ContainerInfo, reason: string, service: string): Promise<never> {
  const logs = await containerLogs(container.id);
  const checks = await healthLog(container.id);
  await stopAndRemove(container.id, 5);
  const details = [
    `--- last log lines of the new ${service} container (${container.name}) ---`,
    logs,
    ...(checks ? ['--- its last health checks ---', checks] : []),
  ];
  throw new OperationError(`${reason}; the new ${service} container was removed and the old one keeps serving`, 1, details.join('\n'));
}

/** Starts one more container of the service with the current compose config and returns it. */
async function startBeside(opts: RolloutOptions, extraFiles: string[], existing: ContainerInfo[]): Promise<ContainerInfo> {
  const { service } = opts.step;
  // No --no-deps: compose would drop depends_on from the config it hashes, and the next full
  // `compose up` (make start) would then see the container as changed and recreate it.
  // --no-recreate leaves the running dependencies (and the old container) exactly as they are.
  const up = await runCompose(opts, extraFiles, [
    'up',
    '--detach',
    '--no-recreate',
    '--no-build',
    '--scale',
    `${service}=${existing.length + 1}`,
    service,
  ]).timeout('180s');
  const known = new Set(existing.map((c) => c.id));
  const fresh = (await serviceContainers(opts.project, service)).filter((c) => !known.has(c.id));
  if (up.exitCode !== 0) {
    const reason = `starting a new ${service} container failed: ${lastLine(up.stderr)}`;
    if (fresh[0]) return failWithLogs(fresh[0], reason, service);
    throw new OperationError(`${reason}; the old one keeps serving`);
  }
  if (fresh.length !== 1) throw new OperationError(`expected one new ${service} container, compose created ${fresh.length}`);
  return fresh[0];
}

export async function rollingReplace(opts: RolloutOptions): Promise<void> {
  const { service, hops } = opts.step;
  // Stopped leftovers would be restarted by `up` instead of a new container being created.
  for (const c of (await serviceContainers(opts.project, service)).filter((c) => c.status !== 'running')) await stopAndRemove(c.id, 1);
  let serving = await serviceContainers(opts.project, service);
  if (serving.length === 0) return recreate(opts); // nothing is serving, so nothing to keep serving

  for (let hop = 1; hop <= hops; hop++) {
    const lastHop = hop === hops;
    const candidate = await startBeside(opts, lastHop ? [] : [portlessOverride(opts.project, service)], serving);
    info(`  ${service}: new container ${candidate.name} started${lastHop ? '' : ' (without host ports)'}, waiting for health`);
    try {
      const seconds = await waitReady(candidate.id, opts.timeoutSeconds);
      info(`  ${service}: ${candidate.name} healthy after ${seconds.toFixed(1)}s`);
    } catch (err) {
      await failWithLogs(candidate, (err as Error).message, service);
    }
    await switchTraffic(opts, serving, candidate);
    serving = [candidate];
  }
}

/**
 * The switch: proxies proven to use the new container, then each old one gets its stop signal
 * (stops accepting; the proxies retry a refused connection on the new address) and is removed once
 * its in-flight requests are done: a docker stop returns when the process exits, and the grace
 * period is only the upper bound. No step waits a fixed number of seconds.
 */
async function switchTraffic(opts: RolloutOptions, serving: ContainerInfo[], candidate: ContainerInfo): Promise<void> {
  const { service, proxies } = opts.step;
  const running = await projectContainers(opts.project);
  const fresh = running.find((c) => c.id === candidate.id);
  const old = running.filter((c) => serving.some((s) => s.id === c.id));
  if (fresh) {
    try {
      const proof = await proveSwitch({ containers: running, proxyNames: proxies, old, fresh, timeoutSeconds: opts.switchTimeoutSeconds });
      const seen = proof.proxies.map((p) => `${p.proxy} ${p.toNew} to new, ${p.toOld} to old`).join('; ');
      if (proof.method === 'timed')
        info(`  ${service}: the containers' TCP tables cannot be read here; waited ${proof.seconds.toFixed(1)}s for the proxies' DNS caches instead`);
      else
        info(`  ${service}: switch proven in ${proof.seconds.toFixed(1)}s (${proxies.length ? seen || `${proxies.join(', ')}: idle` : 'no proxy in front'})`);
    } catch (err) {
      if (err instanceof SwitchNotProven) await failWithLogs(candidate, `the switch to ${candidate.name} was not proven: ${err.message}`, service);
      throw err;
    }
  }
  for (const c of serving) {
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
export async function recreate(opts: RolloutOptions, previousEnv?: Record<string, string>): Promise<void> {
  const { service } = opts.step;
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
