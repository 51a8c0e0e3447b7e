// `make rollback [service=X]` / scripts/rollback.sh: return to the version recorded before the
// current one, replaced the same way as a deploy (options: --help).
import { defineCommand } from './lib/command/define.ts';
import { allProjectContainers } from './lib/docker/containers.ts';
import { OperationError } from './lib/errors.ts';
import { bold, formatDuration, info } from './lib/output.ts';
import { commandOptions, moveServices, openSession, rollbackCommand, runningVersion } from './lib/deploy/command.ts';
import { planDeploy } from './lib/deploy/plan.ts';
import { readHistory, rollbackTarget } from './lib/deploy/state.ts';

await defineCommand(rollbackCommand, {
  validate: commandOptions,
  run: async (opts) => {
    const session = await openSession();
    const steps = planDeploy(session.model.services, opts.service);
    const history = readHistory(session.project);
    const started = performance.now();
    const listed = await allProjectContainers(session.project);
    const moves = [];
    for (const step of steps) {
      const current = await runningVersion(session, step.service, listed);
      const target = rollbackTarget(history, step.service, current);
      if (!target) {
        if (opts.service) throw new OperationError(`no recorded deploy of ${step.service} led to ${current}; nothing to roll back to`);
        info(`  ${step.service}: no earlier version recorded; left at ${current}`);
        continue;
      }
      info(`rollback: ${step.service} ${current} -> ${target}`);
      moves.push({ step, from: current, to: target });
    }
    let moved = 0;
    await moveServices(session, moves, 'rollback', opts, async ({ step, to }, seconds) => {
      info(`  ${step.service}: back on ${to} in ${formatDuration(seconds)}`);
      moved++;
    });
    info(bold(`rollback finished: ${moved} service(s) in ${formatDuration((performance.now() - started) / 1000)}`));
  },
});
