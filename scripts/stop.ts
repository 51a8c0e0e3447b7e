// `make stop` / scripts/stop-all.sh [--remove-data]: graceful stop in reverse dependency order; data kept.
import path from 'node:path';
import { defineCommand } from './lib/command/define.ts';
import { PROBER_ROLE, loadComposeModel, serviceWithRole } from './lib/compose.ts';
import { compose } from './lib/docker/client.ts';
import { projectVolumes } from './lib/docker/containers.ts';
import { OperationError, UsageError, lastLine } from './lib/errors.ts';
import { formatDuration, info, warn } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';
import { stackVolumeNames, stopOnSwarm } from './lib/swarm/deploy-stack.ts';
import { projectFiles } from './lib/state/files.ts';

const stopCommand = {
  name: 'stop-all.sh',
  summary: 'Stop every service gracefully in reverse dependency order; data volumes are kept unless asked.',
  options: {
    'remove-data': { type: 'boolean', default: false, help: 'also delete the data volumes (every database, cache and store)' },
    timeout: {
      type: 'string',
      value: 'SECONDS',
      help: "SIGTERM-to-SIGKILL time for every container (default: each service's own stop_grace_period)",
    },
  },
  examples: ['make stop', 'make stop ARGS=--remove-data'],
  locks: true,
} as const;

await defineCommand(stopCommand, {
  validate: (parsed) => {
    if (parsed.values.timeout !== undefined && !/^\d+$/.test(parsed.values.timeout))
      throw new UsageError(`--timeout must be a whole number of seconds, not '${parsed.values.timeout}'`);
    return parsed;
  },
  run: async (parsed) => {
    const started = performance.now();
    const { ctx, target } = await currentStack();
    const model = await loadComposeModel(ctx);
    if (target === 'swarm') {
      const volumes = parsed.values['remove-data'] ? stackVolumeNames(model.project) : [];
      if (volumes.length) warn(`--remove-data: deleting ${volumes.length} volume(s) on this node and all their data: ${volumes.join(', ')}`);
      info(`stop: docker stack rm ${model.project} (each task gets its stop_grace_period)`);
      await stopOnSwarm(model.project, volumes);
      info(
        `stopped ${model.project} (swarm stack removed) in ${formatDuration((performance.now() - started) / 1000)}${volumes.length ? ' (data removed)' : '; data volumes kept'}`,
      );
      return;
    }
    const order = [...model.services].reverse().map((s) => s.name);
    const timeout = parsed.values.timeout;
    // Without --timeout compose gives each container its stop_grace_period: the databases keep
    // the time they need to flush, which one number for every service would cut short.
    info(`stop: ${order.join(' → ')} (SIGTERM, ${timeout === undefined ? "each service's stop_grace_period" : `${timeout}s grace each`})`);

    const args = ['down', ...(timeout === undefined ? [] : ['--timeout', timeout]), '--remove-orphans'];
    if (parsed.values['remove-data']) {
      const names = await projectVolumes(model.project);
      warn(`--remove-data: deleting ${names.length} volume(s) and all their data: ${names.join(', ') || '(none)'}`);
      args.push('--volumes');
      // A folder, not a volume, so `down --volumes` cannot take it (docs/LOGS.md).
      info(`--remove-data: the log store ${path.relative(process.cwd(), projectFiles(model.project).logsDir) || '.'} is kept; its own retention bounds it`);
    }
    // The availability prober first: an endpoint stopped while it still probes would count as
    // failed probes, though a stop is planned (monitoring/README.md). Down stops it anyway.
    const prober = serviceWithRole(model, PROBER_ROLE);
    if (prober) await compose(ctx, ['stop', ...(timeout === undefined ? [] : ['--timeout', timeout]), prober.name], { timeout: '120s' }).nothrow();
    const down = await compose(ctx, args, { timeout: '300s' }).nothrow();
    if (down.exitCode !== 0) throw new OperationError(`stopping failed: ${lastLine(down.stderr)}`);
    info(
      `stopped ${model.project} in ${formatDuration((performance.now() - started) / 1000)}${parsed.values['remove-data'] ? ' (data removed)' : '; data volumes kept'}`,
    );
  },
});
