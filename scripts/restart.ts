// `make restart service=X` / scripts/restart-service.sh SERVICE: restart one service, wait until healthy.
import { compose, loadComposeModel, requireService } from './lib/compose.ts';
import { UsageError, runMain } from './lib/errors.ts';
import { formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';
import { upAndWait } from './lib/wait.ts';

await runMain(async () => {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a.startsWith('-'));
  if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}: usage: restart-service.sh SERVICE`);
  if (args.length > 1) throw new UsageError('restart one service at a time: usage: restart-service.sh SERVICE');
  const { ctx } = await currentStack();
  const model = await loadComposeModel(ctx);
  const service = requireService(model, args[0]);
  info(`restart: ${service.name}`);
  await compose(ctx, ['restart', '--timeout', '20', service.name], { timeout: '120s' });
  // `up --wait` of this one service recreates it if its config changed and waits for its health;
  // not --no-deps: compose then drops depends_on from its comparison and a later full `up` recreates it.
  const seconds = await upAndWait(ctx, model, [service.name], [], 120);
  info(`${service.name} healthy again after ${formatDuration(seconds)}`);
});
