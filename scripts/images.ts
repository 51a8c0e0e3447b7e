// `make images`: build or refresh the offline (registry-free) image set; `--only a,b` limits it.
import { parseCommandLine } from './lib/args.ts';
import { ensureEngine } from './lib/engine.ts';
import { runMain } from './lib/errors.ts';
import { buildOfflineImages } from './lib/images.ts';
import { formatDuration, info } from './lib/output.ts';

await runMain(async () => {
  const { values } = parseCommandLine({ options: { only: { type: 'string' } }, allowPositionals: false }, 'images.sh [--only name,name]');
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const started = Date.now();
  await ensureEngine();
  const reports = await buildOfflineImages(only);
  const built = reports.filter((r) => r.action === 'built').length;
  info(`images: ${built} built, ${reports.length - built} up to date in ${formatDuration((Date.now() - started) / 1000)}`);
});
