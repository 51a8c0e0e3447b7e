// `make backup` / scripts/backup.sh: one timestamped, checksummed backup set of every store; cron-safe.
import { defineCommand } from './lib/command/define.ts';
import { writeMetrics, BackupLog } from './lib/backup/report.ts';
import { runBackup } from './lib/backup/run-backup.ts';
import { readBackupSettings } from './lib/backup/settings.ts';
import { addMissingSecrets } from './lib/env.ts';
import { formatDuration, info } from './lib/output.ts';
import { currentStack, withEngine } from './lib/stack.ts';

const backupCommand = {
  name: 'backup.sh',
  summary:
    'One timestamped, checksummed backup set of every store the compose labels name (galaxy.backup); settings come from .env (BACKUP_DIR, BACKUP_KEEP_DAILY, ...).',
  options: {},
  examples: ['make backup', './scripts/backup.sh --wait-lock=3600   # from cron: wait for a deploy or restore to finish'],
  locks: true,
} as const;

await defineCommand(backupCommand, {
  run: async () => {
    // Under the project lock: a .env from before sets were signed gets its key here, said once.
    for (const name of addMissingSecrets()) info(`env: added ${name} to .env with a generated value (sets are signed with it)`);
    // No engine check up front (a process start): a failure of the backup's first Docker call asks.
    const { ctx, values } = await currentStack(undefined, { checkEngine: false });
    const settings = readBackupSettings(values);
    const log = new BackupLog(settings.logFile, settings.project, 'backup');
    try {
      const outcome = await withEngine(() => runBackup(ctx, settings, log));
      const metrics = writeMetrics(settings.metricsDir, {
        project: settings.project,
        finishedAt: new Date(),
        durationSeconds: outcome.durationSeconds,
        sizeBytes: outcome.manifest.totalBytes,
      });
      log.line(`ok: ${outcome.dir} in ${formatDuration(outcome.durationSeconds)}; metrics in ${metrics}`);
    } catch (err) {
      log.append(`FAILED: ${(err as Error).message}`);
      throw err;
    }
  },
});
