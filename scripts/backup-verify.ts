// `make backup-verify` / scripts/backup-verify.sh [SET]: restore the newest set (or SET) into
// throwaway containers and check it; the live stack is not touched.
import { BackupLog } from './lib/backup/report.ts';
import { trustForeignOption } from './lib/backup/open-set.ts';
import { runVerify } from './lib/backup/run-restore.ts';
import { readBackupSettings } from './lib/backup/settings.ts';
import { defineCommand } from './lib/command/define.ts';
import { bold, formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

const verifyCommand = {
  name: 'backup-verify.sh',
  summary: 'Restore the newest backup set (or SET) into throwaway containers and check every store against its manifest; the live stack is not touched.',
  positionals: { name: 'SET', max: 1, help: 'a set name in BACKUP_DIR or a set folder (default: the newest set)' },
  options: { 'trust-foreign-set': trustForeignOption },
  examples: [
    'make backup-verify',
    'make backup-verify from=galaxy-20261201T031500Z',
    './scripts/backup-verify.sh --trust-foreign-set /mnt/old-server/galaxy-20261201T031500Z',
  ],
  locks: true,
} as const;

await defineCommand(verifyCommand, {
  run: async ({ positionals, values: options }) => {
    const started = performance.now();
    const { ctx, values } = await currentStack();
    const settings = readBackupSettings(values);
    const log = new BackupLog(settings.logFile, settings.project, 'verify');
    try {
      const report = await runVerify(ctx, settings, log, positionals[0], options['trust-foreign-set']);
      log.line(`ok: ${report.name} restores cleanly (${formatDuration((performance.now() - started) / 1000)})`);
      info(bold(`${report.name} verified`));
    } catch (err) {
      log.append(`FAILED: ${(err as Error).message}`);
      throw err;
    }
  },
});
