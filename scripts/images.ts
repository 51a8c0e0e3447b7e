// `make images`: build or refresh the offline (registry-free) image set; `--only a,b` limits it.
import { parseArgs } from 'node:util';
import { ensureEngine } from './lib/engine.ts';
import { runMain, UsageError } from './lib/errors.ts';
import { buildOfflineImages } from './lib/images.ts';
import { formatDuration, info } from './lib/output.ts';

await runMain(async () => {
  let only: string[] | undefined;
  try {
    const { values } = parseArgs({ options: { only: { type: 'string' } }, allowPositionals: false });
    only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; usage: images [--only name,name]`);
  }
  const started = Date.now();
  await ensureEngine();
  const reports = await buildOfflineImages(only);
  const built = reports.filter((r) => r.action === 'built').length;
  info(`images: ${built} built, ${reports.length - built} up to date in ${formatDuration((Date.now() - started) / 1000)}`);
});
