// `make rebalance` / scripts/rebalance.sh: after a node came back (or joined), spread the tasks of
// each stateless service with several replicas over the nodes again; Swarm never moves a running
// task by itself (docs/SCALING.md).
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel } from './lib/compose.ts';
import { UsageError } from './lib/errors.ts';
import { formatDuration, info } from './lib/output.ts';
import { currentStack, lastTarget } from './lib/stack.ts';
import { rebalanceOnSwarm } from './lib/swarm/rebalance.ts';

const rebalanceCommand = {
  name: 'rebalance.sh',
  summary:
    'Spread the tasks of every stateless service with more than one replica evenly over the nodes it may run on (swarm mode): a rolling, health-gated replacement of each unevenly spread service.',
  options: {
    timeout: { type: 'string', value: 'SECONDS', default: '300', help: "how long each service's rolling replacement may take" },
  },
  examples: ['make rebalance', './scripts/rebalance.sh --timeout 600'],
  locks: true,
} as const;

await defineCommand(rebalanceCommand, {
  validate: (parsed) => {
    const timeout = Number(parsed.values.timeout);
    if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a whole number of seconds, not '${parsed.values.timeout}'`);
    return { timeout };
  },
  run: async ({ timeout }) => {
    const started = performance.now();
    // The last start's target, read from its state file: refused without asking the engine anything.
    if (lastTarget() !== 'swarm')
      throw new UsageError('make rebalance works in swarm mode (make start ARGS=--swarm): in compose mode every service runs on this one machine');
    const { ctx } = await currentStack();
    const model = await loadComposeModel(ctx);
    const moved = await rebalanceOnSwarm(ctx, model.project, timeout);
    info(`rebalance: ${moved} service(s) spread again in ${formatDuration((performance.now() - started) / 1000)}`);
  },
});
