// `make start` / scripts/start-all.sh [--dev|--prod] [--timeout SECONDS]: the whole stack up and healthy.
import { defineCommand } from './lib/command/define.ts';
import { type ComposeContext, type ComposeModel, type StackMode, loadComposeModel } from './lib/compose.ts';
import { syncReplicasFile } from './lib/deploy/replicas.ts';
import { compose } from './lib/docker/client.ts';
import { watchContainers } from './lib/docker/watch.ts';
import { UsageError, processFailure } from './lib/errors.ts';
import { serviceAddresses } from './lib/health.ts';
import { bold, formatDuration, info, table } from './lib/output.ts';
import { isPortFree, portHolder } from './lib/ports.ts';
import { lastTarget, modeFromFlags, prepareStack } from './lib/stack.ts';
import { upAndWait, upUntilReceiving } from './lib/wait.ts';
import { type EarlyStart, earlyStartHolds, logStores, startLogStoreEarly } from './lib/logs/first.ts';
import { writeMonitoringTargets } from './lib/monitoring/targets.ts';
import { projectFiles } from './lib/state/files.ts';
import { versionVariable } from './lib/deploy/version.ts';
import { checkServiceBuilds } from './lib/images/service-builds.ts';
import { refuseWhileSwarmStack, startOnSwarm } from './lib/swarm/deploy-stack.ts';
import { type DeployTarget, deployTarget } from './lib/swarm/settings.ts';

/** A deployed service runs its recorded image: rebuilding it would put today's tree under that
 * tag. An image built from the same inputs is not built again (images/service-builds.ts). */
function staleBuilds(ctx: ComposeContext, model: ComposeModel) {
  return checkServiceBuilds(model.services.filter((s) => s.build && !ctx.env[versionVariable(s.name)]));
}

async function buildStale(ctx: ComposeContext, model: ComposeModel, mode: StackMode, builds?: Awaited<ReturnType<typeof staleBuilds>>): Promise<void> {
  const wanted = builds ?? (await staleBuilds(ctx, model));
  if (!wanted.stale.length) return;
  info(`build: building ${wanted.stale.join(', ')} (${mode} mode)`);
  const build = await compose(ctx, ['build', ...wanted.stale]).nothrow();
  if (build.exitCode !== 0) throw processFailure('building the service images failed: read the build output above', build.stderr);
  await wanted.record();
}

interface ComposeStart {
  mode: StackMode;
  timeout: number;
  /** Where the last start ran (stack.ts lastTarget). */
  previous: DeployTarget;
  /** The log store's early start, begun beside the engine checks (logs/first.ts). */
  early: EarlyStart | undefined;
  values: Record<string, string>;
}

/** A compose start: ports, builds, the log store first, then every service up until healthy. */
async function startOnCompose(ctx: ComposeContext, model: ComposeModel, { mode, timeout, previous, early, values }: ComposeStart): Promise<void> {
  // Only after a swarm start: the check asks the engine, which a compose start need not pay for.
  if (previous === 'swarm') await refuseWhileSwarmStack(model.project);

  // Both only read the engine: side by side.
  const [containers, builds] = await Promise.all([watchContainers(ctx, model.project), staleBuilds(ctx, model)]);
  // Ports held by this project's own containers are fine: start is idempotent, and compose
  // moves a port between its own services when the files changed.
  const ownPorts = new Set(containers.flatMap((c) => c.publishedPorts));
  for (const svc of model.services) {
    for (const port of svc.ports.filter((p) => !ownPorts.has(p.published))) {
      if (!(await isPortFree(port.published, port.hostIp === '0.0.0.0' ? '0.0.0.0' : port.hostIp, port.protocol))) {
        throw new UsageError(
          `port ${port.published} (${svc.name}) is in use by ${await portHolder(port.published, port.protocol)}: stop it, or set another port in .env`,
        );
      }
    }
  }

  await buildStale(ctx, model, mode, builds);

  // The log store first (logs/first.ts). One that already runs healthy on an image this start did
  // not rebuild is left to the main up: it listens already.
  const stores = logStores(model).filter(
    (name) => builds.stale.includes(name) || !containers.some((c) => c.service === name && c.status === 'running' && c.health === 'healthy'),
  );
  if (stores.length) await upUntilReceiving(ctx, model, stores, timeout, { alreadyUp: await earlyStartHolds(early, ctx, model, containers) });
  info(`up: starting ${model.services.length} services of project ${model.project}`);
  await upAndWait(ctx, model, [], ['--remove-orphans'], timeout);

  const rows = [['SERVICE', 'URL']];
  for (const svc of model.services) rows.push([svc.name, serviceAddresses(model, svc)]);
  info(`\n${table(rows)}\n`);
  if (mode === 'prod') {
    const host = !values.PUBLIC_BIND || values.PUBLIC_BIND === '0.0.0.0' ? '127.0.0.1' : values.PUBLIC_BIND;
    info(`site over HTTPS: https://${host}:${values.EDGE_HTTPS_PORT || '8443'}/ (plain HTTP on ${values.FRONTEND_PORT} redirects there)`);
  }
}

const startCommand = {
  name: 'start-all.sh',
  summary: 'Install what is missing (engine, .env, images), build, start every service and wait until all are healthy.',
  options: {
    dev: { type: 'boolean', help: 'development overrides: reload on change, debug and data ports' },
    prod: { type: 'boolean', help: 'production overrides: read-only root filesystems, restart always' },
    timeout: { type: 'string', value: 'SECONDS', default: '300', help: 'how long the services may take to become healthy' },
    swarm: { type: 'boolean', help: 'deploy on Docker Swarm (docker stack deploy) instead of compose; DEPLOY_TARGET=swarm in .env does the same' },
  },
  examples: ['make start', 'make start ARGS=--prod', 'make start ARGS=--swarm', './scripts/start-all.sh --dev --timeout 600'],
  locks: true,
} as const;

await defineCommand(startCommand, {
  validate: (parsed) => {
    const timeout = Number(parsed.values.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a whole number of seconds, not '${parsed.values.timeout}'`);
    return { mode: modeFromFlags(parsed.values), timeout, target: deployTarget(parsed.values.swarm) };
  },
  run: async ({ mode, timeout, target }) => {
    const started = performance.now();

    const previous = lastTarget();
    const { ctx, values, beside: early } = await prepareStack(mode, target, { beside: target === 'compose' ? startLogStoreEarly : undefined });
    let model = await loadComposeModel(ctx);
    // .env's replica counts, in the file compose reads (a count edited by hand there is honoured).
    if (target === 'compose' && syncReplicasFile(model.services, (name) => values[name], mode)) model = await loadComposeModel(ctx);
    // Before up: Prometheus finds the folder when it starts, and a running one re-reads the file.
    const targetsDir = projectFiles(model.project).monitoringTargetsDir;
    if (target === 'swarm') {
      writeMonitoringTargets(model, targetsDir, true);
      await buildStale(ctx, model, mode);
      return startOnSwarm(ctx, model, timeout);
    }
    // The availability probes begin when the start ends, healthy or not: a service still starting
    // is not an outage of a running system (the SLO's window, monitoring/README.md). Written back
    // whatever the outcome, so a start that fails is measured from its end on.
    writeMonitoringTargets(model, targetsDir, false, false);
    try {
      await startOnCompose(ctx, model, { mode, timeout, previous, early, values });
    } finally {
      writeMonitoringTargets(model, targetsDir);
    }
    info(bold(`all ${model.services.length} services healthy in ${formatDuration((performance.now() - started) / 1000)}`));
  },
});
