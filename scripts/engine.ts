// `make engine`: make sure a Docker engine with Compose v2 and buildx answers.
import { defineCommand } from './lib/command/define.ts';
import { ensureEngine } from './lib/engine.ts';
import { info } from './lib/output.ts';

const engineCommand = {
  name: 'engine.sh',
  summary: 'Make sure a Docker engine with Compose v2 and buildx answers; on Debian as root, install and start one.',
  options: {},
  examples: ['make engine'],
} as const;

await defineCommand(engineCommand, {
  run: async () => {
    const facts = await ensureEngine();
    info(`engine: Docker ${facts.engineVersion}, Compose ${facts.composeVersion}, ready`);
  },
});
