// `make restore [from=SET]` / scripts/restore.sh [SET]: verify every checksum, stop the writers,
// restore every store the set's manifest lists, start and wait until healthy. Newest set by default.
import { BackupLog } from './lib/backup/report.ts';
import { trustForeignOption } from './lib/backup/open-set.ts';
import { runRestore } from './lib/backup/run-restore.ts';
import { readBackupSettings } from './lib/backup/settings.ts';
import { defineCommand } from './lib/command/define.ts';
import { UsageError } from './lib/errors.ts';
import { bold, formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

const restoreCommand = {
  name: 'restore.sh',
  summary: 'Verify every checksum of a backup set, stop the services that use its stores, restore every store it lists, start them and wait until healthy.',
  positionals: { name: 'SET', max: 1, help: 'a set name in BACKUP_DIR or a set folder (default: the newest set)' },
  options: { from: { type: 'string', value: 'SET', help: 'the same as the SET argument' }, 'trust-foreign-set': trustForeignOption },
  examples: [
    'make restore',
    'make restore from=galaxy-20261201T031500Z',
    './scripts/restore.sh /mnt/offsite/galaxy-20261201T031500Z',
    './scripts/restore.sh --trust-foreign-set /mnt/old-server/galaxy-20261201T031500Z   # made by another installation',
  ],
  locks: true,
} as const;

await defineCommand(restoreCommand, {
  validate: (parsed) => {
    if (parsed.positionals.length && parsed.values.from) throw new UsageError('name one set: usage: restore.sh [SET]');
    return { from: parsed.values.from || parsed.positionals[0] || undefined, trustForeign: parsed.values['trust-foreign-set'] };
  },
  run: async ({ from, trustForeign }) => {
    const started = performance.now();
    const { ctx, values } = await currentStack();
    const settings = readBackupSettings(values);
    const log = new BackupLog(settings.logFile, settings.project, 'restore');
    try {
      const name = await runRestore(ctx, settings, log, from, trustForeign);
      log.line(`ok: ${name} restored in ${formatDuration((performance.now() - started) / 1000)}`);
      info(bold(`restored ${name}; every service healthy`));
    } catch (err) {
      log.append(`FAILED: ${(err as Error).message}`);
      throw err;
    }
  },
});
