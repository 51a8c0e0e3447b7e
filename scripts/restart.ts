// `make restart service=X` / scripts/restart-service.sh SERVICE: restart one service, wait until healthy.
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel, requireService } from './lib/compose.ts';
import { compose } from './lib/docker/client.ts';
import { UsageError } from './lib/errors.ts';
import { formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';
import { upAndWait } from './lib/wait.ts';

const restartCommand = {
  name: 'restart-service.sh',
  summary: 'Restart one service and wait until it is healthy again.',
  positionals: { name: 'SERVICE', max: 1, help: 'a service of the compose files' },
  options: {},
  examples: ['make restart service=api', './scripts/restart-service.sh proxy'],
  locks: true,
} as const;

await defineCommand(restartCommand, {
  validate: (parsed) => {
    if (!parsed.positionals[0]) throw new UsageError('name a service: usage: restart-service.sh SERVICE');
    return parsed.positionals[0];
  },
  run: async (name) => {
    const { ctx } = await currentStack();
    const model = await loadComposeModel(ctx);
    const service = requireService(model, name);
    info(`restart: ${service.name}`);
    // No --timeout: the service's own stop_grace_period (a database gets its time to flush).
    await compose(ctx, ['restart', service.name], { timeout: '120s' });
    // `up --wait` of this one service recreates it if its config changed and waits for its health;
    // not --no-deps: compose then drops depends_on from its comparison and a later full `up` recreates it.
    const seconds = await upAndWait(ctx, model, [service.name], [], 120);
    info(`${service.name} healthy again after ${formatDuration(seconds)}`);
  },
});
