// `make deploy [service=X]` / scripts/deploy.sh [SERVICE] [--timeout S] [--switch-timeout S] [--grace S] [--override FILE] [--force] [--no-cache]:
// build the working tree as galaxy/<service>:<commit>[-dirty-<hash>] and replace the running version.
import { UsageError, runMain } from './lib/errors.ts';
import { bold, formatDuration, info } from './lib/output.ts';
import { buildImage, moveService, openSession, parseCommandArgs, runningVersion, verifySettled } from './lib/deploy/command.ts';
import { planDeploy } from './lib/deploy/plan.ts';
import { currentVersion } from './lib/deploy/version.ts';

const usage = 'deploy.sh [SERVICE] [--timeout SECONDS] [--switch-timeout SECONDS] [--grace SECONDS] [--override COMPOSE_FILE] [--force] [--no-cache]';

await runMain(async () => {
  const opts = parseCommandArgs(process.argv.slice(2), usage, true);
  const session = await openSession();
  try {
    const steps = planDeploy(session.model.services, opts.service);
    if (!steps.length) throw new UsageError('no stateless service to deploy in the compose files');
    const version = await currentVersion();
    info(`deploy: version ${version} -> ${steps.map((s) => `${s.service} (${s.strategy})`).join(', ')}`);
    const started = performance.now();
    for (const step of steps) {
      const from = await runningVersion(session, step.service);
      if (from === version && !opts.force) {
        info(`  ${step.service}: already runs ${version}; skipped (--force replaces it anyway)`);
        continue;
      }
      await buildImage(session, step.service, version, opts.noCache);
      const seconds = await moveService(session, step, 'deploy', from, version, opts);
      await verifySettled(session, step.service, version);
      info(`  ${step.service}: ${from} -> ${version} in ${formatDuration(seconds)}`);
    }
    info(bold(`deploy finished in ${formatDuration((performance.now() - started) / 1000)}`));
  } finally {
    session.release();
  }
});
