// `make restore [from=SET]` / scripts/restore.sh [SET]: verify every checksum, stop the writers,
// restore every store the set's manifest lists, start and wait until healthy. Newest set by default.
import { parseCommandLine } from './lib/args.ts';
import { BackupLog } from './lib/backup/report.ts';
import { runRestore } from './lib/backup/run-restore.ts';
import { readBackupSettings } from './lib/backup/settings.ts';
import { UsageError, runMain } from './lib/errors.ts';
import { bold, formatDuration, info } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

await runMain(async () => {
  const started = performance.now();
  const parsed = parseCommandLine({ options: { from: { type: 'string' } }, allowPositionals: true }, 'restore.sh [--from] [SET]');
  if (parsed.positionals.length > 1 || (parsed.positionals.length && parsed.values.from)) throw new UsageError('name one set: usage: restore.sh [SET]');
  const from = parsed.values.from || parsed.positionals[0] || undefined;
  const { ctx, values } = await currentStack();
  const settings = readBackupSettings(values);
  const log = new BackupLog(settings.logFile, settings.project, 'restore');
  try {
    const name = await runRestore(ctx, settings, log, from);
    log.line(`ok: ${name} restored in ${formatDuration((performance.now() - started) / 1000)}`);
    info(bold(`restored ${name}; every service healthy`));
  } catch (err) {
    log.append(`FAILED: ${(err as Error).message}`);
    throw err;
  }
});
