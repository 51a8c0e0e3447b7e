// `make scale` in compose mode. The count goes to .env first and from there into the replicas file
// (replicas.ts), so a later start, deploy or restart keeps it. Adding containers to a service whose
// config stays the same is a plain compose scale: nothing serving is touched. Anything else (fewer
// replicas, or the host ports given up or taken back) replaces the service's containers the way a
// deploy does: the new set healthy and the proxies seen using it before the old set is drained.
import { type ComposeContext, loadComposeModel, parseComposeConfig, readComposeConfig } from '../compose.ts';
import { compose } from '../docker/client.ts';
import { serviceContainers, stopAndRemove } from '../docker/containers.ts';
import { setEnvValues } from '../env.ts';
import { OperationError, UsageError, lastLine } from '../errors.ts';
import { writeMonitoringTargets } from '../monitoring/targets.ts';
import { info } from '../output.ts';
import { envFile } from '../paths.ts';
import { projectFiles } from '../state/files.ts';
import { scaleRefusal } from '../swarm/deploy-stack.ts';
import type { ComposeConfig } from '../swarm/stack-file.ts';
import { replicasVariable } from '../swarm/settings.ts';
import { waitAllReady } from './containers.ts';
import { replacementStep } from './plan.ts';
import { composeScaleRefusal, scaleMove, syncReplicasFile } from './replicas.ts';
import { rollingReplace } from './rollout.ts';

export interface ComposeScale {
  ctx: ComposeContext;
  /** .env as read at the start of the command. */
  values: Record<string, string>;
  service: string;
  replicas: number;
  timeoutSeconds: number;
  switchTimeoutSeconds: number;
  graceSeconds: number;
}

export async function scaleOnCompose(opts: ComposeScale): Promise<void> {
  const { ctx, values, service, replicas } = opts;
  const json = await readComposeConfig(ctx);
  const model = parseComposeConfig(json);
  // Compose's own rules first, then swarm mode's: local state (volumes, host folders), the auto-scaler's bounds.
  const refusal =
    composeScaleRefusal(model.services, service, replicas) ?? scaleRefusal(service, JSON.parse(json) as ComposeConfig, replicas, Number.POSITIVE_INFINITY);
  if (refusal) throw new UsageError(refusal);
  const was = model.services.find((s) => s.name === service)?.replicas ?? 1;
  const running = (await serviceContainers(model.project, service)).filter((c) => c.running);
  if (was === replicas && running.length === replicas) {
    info(`${service} already runs ${replicas} replica(s)`);
    return;
  }
  const variable = replicasVariable(service);
  const write = (count: string) => {
    setEnvValues(envFile, { [variable]: count });
    return syncReplicasFile(model.services, (name) => (name === variable ? count : values[name]), ctx.mode);
  };
  write(String(replicas));
  if (!running.length) {
    // Nothing to replace: starting it here alone would start it without what it depends on.
    info(`${service} is not running: the next make start runs ${replicas} of it`);
    return;
  }
  try {
    const next = await loadComposeModel(ctx);
    const step = replacementStep(next.services, next.services.find((s) => s.name === service) as (typeof next.services)[number]);
    const ported = [model, next].some((m) => m.services.find((s) => s.name === service)?.ports.length);
    const move = scaleMove({ was, running: running.length, replicas, ported });
    if (move.add) {
      info(`scale: ${service} from ${running.length} to ${replicas} (the running ones stay as they are)`);
      await addReplicas(
        opts,
        next.project,
        running.map((c) => c.id),
      );
    } else {
      info(`scale: ${service} from ${running.length} to ${replicas}, replaced as a set: ${move.why} (new ones healthy first, then the old ones drained)`);
      await rollingReplace({ ...opts, project: next.project, env: ctx.env, overrides: [] }, step);
    }
    writeMonitoringTargets(next, projectFiles(next.project).monitoringTargetsDir);
  } catch (err) {
    write(values[variable] ?? '1');
    throw err;
  }
}

/** Starts the missing replicas (compose's own scale) and waits for them; a failed one is removed. */
async function addReplicas(opts: ComposeScale, project: string, kept: string[]): Promise<void> {
  const up = await compose(opts.ctx, ['up', '--detach', '--no-recreate', '--no-build', '--scale', `${opts.service}=${opts.replicas}`, opts.service], {
    timeout: '180s',
  }).nothrow();
  const fresh = (await serviceContainers(project, opts.service)).filter((c) => !kept.includes(c.id));
  const waits = await waitAllReady(
    fresh.map((c) => c.id),
    opts.timeoutSeconds,
  );
  const failed = fresh.find((c) => 'error' in (waits.get(c.id) ?? { error: '' }));
  if (up.exitCode !== 0 || failed || fresh.length !== opts.replicas - kept.length) {
    await Promise.all(fresh.map((c) => stopAndRemove(c.id, 5)));
    const wait = failed && waits.get(failed.id);
    const why = up.exitCode !== 0 ? lastLine(up.stderr) : wait && 'error' in wait ? wait.error : `compose started ${fresh.length}`;
    throw new OperationError(
      `the new ${opts.service} replicas did not all become healthy (${why}); they were removed and the ${kept.length} running one(s) keep serving`,
    );
  }
  for (const c of fresh) info(`  ${opts.service}: ${c.name} healthy after ${(waits.get(c.id) as { seconds: number }).seconds.toFixed(1)}s`);
}
