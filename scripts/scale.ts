// `make scale service=X replicas=N` / scripts/scale.sh SERVICE --replicas N: run N replicas of a
// stateless service, in either mode, kept in .env for later starts (docs/SCALING.md).
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel } from './lib/compose.ts';
import { replacementOptions, wholeSeconds } from './lib/deploy/command.ts';
import { scaleOnCompose } from './lib/deploy/scale.ts';
import { UsageError } from './lib/errors.ts';
import { formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';
import { scaleOnSwarm } from './lib/swarm/deploy-stack.ts';
import { replicasVariable } from './lib/swarm/settings.ts';

const scaleCommand = {
  name: 'scale.sh',
  summary:
    'Run N replicas of a stateless service, each healthy before the command returns; the count is kept in .env (<SERVICE>_REPLICAS) for later starts. In compose mode replicas are reached through the proxy in front.',
  positionals: { name: 'SERVICE', max: 1, help: 'a service of the compose files' },
  options: {
    replicas: { type: 'string', value: 'N', help: 'how many replicas (1 to 50)' },
    timeout: { type: 'string', value: 'SECONDS', default: '300', help: 'how long the new replicas may take to become healthy' },
    'switch-timeout': replacementOptions['switch-timeout'],
    grace: replacementOptions.grace,
  },
  examples: ['make scale service=api replicas=3', './scripts/scale.sh api --replicas 1'],
  locks: true,
} as const;

await defineCommand(scaleCommand, {
  validate: (parsed) => {
    const service = parsed.positionals[0];
    if (!service) throw new UsageError('name a service: make scale service=NAME replicas=N');
    const replicas = parsed.values.replicas ?? '';
    if (!/^\d+$/.test(replicas) || Number(replicas) < 1 || Number(replicas) > 50)
      throw new UsageError(`replicas=${replicas} is not a number of replicas: give a whole number from 1 to 50, e.g. make scale service=${service} replicas=3`);
    const timeout = Number(parsed.values.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a whole number of seconds, not '${parsed.values.timeout}'`);
    return {
      service,
      replicas: Number(replicas),
      timeout,
      switchTimeoutSeconds: wholeSeconds(parsed.values, 'switch-timeout'),
      graceSeconds: wholeSeconds(parsed.values, 'grace'),
    };
  },
  run: async ({ service, replicas, timeout, switchTimeoutSeconds, graceSeconds }) => {
    const started = performance.now();
    const { ctx, target, values } = await currentStack();
    if (target === 'swarm') {
      const model = await loadComposeModel(ctx);
      await scaleOnSwarm(ctx, model.project, service, replicas, timeout);
    } else await scaleOnCompose({ ctx, values, service, replicas, timeoutSeconds: timeout, switchTimeoutSeconds, graceSeconds });
    info(
      `scaled ${service} to ${replicas} replica(s) in ${formatDuration((performance.now() - started) / 1000)}; ${replicasVariable(service)}=${replicas} in .env`,
    );
  },
});
