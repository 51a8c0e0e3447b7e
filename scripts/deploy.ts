// `make deploy [service=X]` / scripts/deploy.sh: build the working tree as
// <its compose image>:<commit>[-dirty-<hash>] and replace the running version (options: --help).
import { defineCommand } from './lib/command/define.ts';
import { allProjectContainers } from './lib/docker/containers.ts';
import { UsageError } from './lib/errors.ts';
import { bold, formatDuration, info } from './lib/output.ts';
import { buildImages, commandOptions, deployCommand, moveServices, openSession, runningVersion } from './lib/deploy/command.ts';
import { planDeploy } from './lib/deploy/plan.ts';
import { currentVersion } from './lib/deploy/version.ts';

await defineCommand(deployCommand, {
  validate: commandOptions,
  run: async (opts) => {
    const session = await openSession();
    const steps = planDeploy(session.model.services, opts.service);
    if (!steps.length) throw new UsageError('no stateless service to deploy in the compose files');
    const version = await currentVersion();
    info(`deploy: version ${version} -> ${steps.map((s) => `${s.service} (${s.strategy})`).join(', ')}`);
    const started = performance.now();
    const listed = await allProjectContainers(session.project);
    const due = [];
    for (const step of steps) {
      const from = await runningVersion(session, step.service, listed);
      if (from === version && !opts.force) info(`  ${step.service}: already runs ${version}; skipped (--force replaces it anyway)`);
      else due.push({ step, from });
    }
    await buildImages(
      session,
      due.map((d) => d.step.service),
      version,
      opts.noCache,
    );
    const moves = due.map(({ step, from }) => ({ step, from, to: version }));
    await moveServices(session, moves, 'deploy', opts, async ({ step, from }, seconds) => {
      info(`  ${step.service}: ${from} -> ${version} in ${formatDuration(seconds)}`);
    });
    info(bold(`deploy finished in ${formatDuration((performance.now() - started) / 1000)}`));
  },
});
