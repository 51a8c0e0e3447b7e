// `make backup-verify` / scripts/backup-verify.sh [SET]: restore the newest set (or SET) into
// throwaway containers and check it; the live stack is not touched.
import { BackupLog } from './lib/backup/report.ts';
import { runVerify } from './lib/backup/run-restore.ts';
import { readBackupSettings } from './lib/backup/settings.ts';
import { UsageError, runMain } from './lib/errors.ts';
import { bold, formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

await runMain(async () => {
  const started = performance.now();
  const args = process.argv.slice(2);
  if (args.some((a) => a.startsWith('-')) || args.length > 1) throw new UsageError('usage: backup-verify.sh [SET]');
  const { ctx, values } = await currentStack();
  const settings = readBackupSettings(values);
  const log = new BackupLog(settings.logFile, settings.project, 'verify');
  try {
    const report = await runVerify(ctx, settings, log, args[0]);
    log.line(`ok: ${report.name} restores cleanly (${formatDuration((performance.now() - started) / 1000)})`);
    info(bold(`${report.name} verified`));
  } catch (err) {
    log.append(`FAILED: ${(err as Error).message}`);
    throw err;
  }
});
