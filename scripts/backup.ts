// `make backup` / scripts/backup.sh: one timestamped, checksummed backup set of every store; cron-safe.
import { UsageError, runMain } from './lib/errors.ts';
import { writeMetrics, BackupLog } from './lib/backup/report.ts';
import { runBackup } from './lib/backup/run-backup.ts';
import { readBackupSettings } from './lib/backup/settings.ts';
import { formatDuration } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

await runMain(async () => {
  const args = process.argv.slice(2);
  if (args.length) throw new UsageError(`unknown argument '${args[0]}': usage: backup.sh (settings come from .env: BACKUP_DIR, BACKUP_KEEP_DAILY, ...)`);
  const { ctx, values } = await currentStack();
  const settings = readBackupSettings(values);
  const log = new BackupLog(settings.logFile, settings.project, 'backup');
  try {
    const outcome = await runBackup(ctx, settings, log);
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
});
