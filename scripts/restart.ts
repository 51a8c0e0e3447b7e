// `make restart service=X` / scripts/restart-service.sh SERVICE: restart one service, wait until healthy.
// A stateless service (galaxy.deploy=rolling) is replaced the way deploy does it, on the version it
// runs now: a new container healthy first, the proxies proven to use it, the old one drained, so no
// request is dropped. Any other service gets a plain restart, and the command says so.
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel, requireService } from './lib/compose.ts';
import { commandOptions, replacementOptions } from './lib/deploy/command.ts';
import { replacementStep } from './lib/deploy/plan.ts';
import { rollingReplace } from './lib/deploy/rollout.ts';
import { compose } from './lib/docker/client.ts';
import { serviceContainers } from './lib/docker/containers.ts';
import { OperationError, UsageError } from './lib/errors.ts';
import { formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';
import { restartOnSwarm } from './lib/swarm/deploy-stack.ts';
import { upAndWait } from './lib/wait.ts';

const restartCommand = {
  name: 'restart-service.sh',
  summary: 'Restart one service and wait until it is healthy again; a stateless one is replaced without dropping a request.',
  positionals: { name: 'SERVICE', max: 1, help: 'a service of the compose files' },
  // The deploy's timeouts: they bound the replacement of a stateless service.
  options: replacementOptions,
  examples: ['make restart service=api', './scripts/restart-service.sh proxy', './scripts/restart-service.sh api --timeout 60'],
  locks: true,
} as const;

await defineCommand(restartCommand, {
  validate: (parsed) => {
    if (!parsed.positionals[0]) throw new UsageError('name a service: usage: restart-service.sh SERVICE');
    return commandOptions(parsed);
  },
  run: async (opts) => {
    const started = performance.now();
    const { ctx, target } = await currentStack();
    const model = await loadComposeModel(ctx);
    const service = requireService(model, opts.service ?? '');
    if (target === 'swarm') {
      info(`restart: ${service.name} (swarm: one task at a time, each new one healthy before the next; the update and rollback settings of x-swarm)`);
      await restartOnSwarm(model.project, service.name, opts.timeoutSeconds);
      info(`restarted ${service.name} in ${formatDuration((performance.now() - started) / 1000)}`);
      return;
    }
    const step = replacementStep(model.services, service);
    if (step.strategy === 'rolling') {
      info(`restart: ${service.name} (stateless: a new container first, then the old one drained; no request dropped)`);
      await rollingReplace(
        {
          ctx,
          project: model.project,
          // currentStack's env holds the versions deploy recorded: the new container runs what the old one ran.
          env: ctx.env,
          timeoutSeconds: opts.timeoutSeconds,
          switchTimeoutSeconds: opts.switchTimeoutSeconds,
          graceSeconds: opts.graceSeconds,
          overrides: [],
        },
        step,
      );
      const running = (await serviceContainers(model.project, service.name)).filter((c) => c.status === 'running');
      if (running.length !== step.replicas)
        throw new OperationError(`${service.name} should run ${step.replicas} container(s) after its restart, found ${running.length}`);
    } else {
      info(`restart: ${service.name} (galaxy.deploy=${service.deploy ?? 'recreate'}: a plain restart; it does not answer until it is back)`);
      // No --timeout: the service's own stop_grace_period (a database gets its time to flush).
      await compose(ctx, ['restart', service.name], { timeout: '120s' });
      // `up --wait` of this one service recreates it if its config changed and waits for its health;
      // not --no-deps: compose then drops depends_on from its comparison and a later full `up` recreates it.
      await upAndWait(ctx, model, [service.name], [], opts.timeoutSeconds);
    }
    info(`${service.name} healthy again after ${formatDuration((performance.now() - started) / 1000)}`);
  },
});
