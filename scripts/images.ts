// `make images`: build or refresh the offline (registry-free) image set; `--only a,b` limits it.
import { defineCommand } from './lib/command/define.ts';
import { ensureEngine } from './lib/engine.ts';
import { buildOfflineImages } from './lib/images/build.ts';
import { formatDuration, info } from './lib/output.ts';

const imagesCommand = {
  name: 'images.sh',
  summary: 'Build or refresh the offline (registry-free) image set; images whose recipe did not change are kept.',
  options: { only: { type: 'string', value: 'NAME,NAME', help: 'only these images (names from images/offline/manifest.json)' } },
  examples: ['make images', 'make images ARGS="--only node,python"'],
  locks: true,
} as const;

await defineCommand(imagesCommand, {
  run: async ({ values }) => {
    const only = values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const started = Date.now();
    await ensureEngine();
    const reports = await buildOfflineImages(only);
    const built = reports.filter((r) => r.action === 'built').length;
    info(`images: ${built} built, ${reports.length - built} up to date in ${formatDuration((Date.now() - started) / 1000)}`);
  },
});
