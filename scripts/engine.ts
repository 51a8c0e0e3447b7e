// `make engine`: make sure a Docker engine with Compose v2 and buildx answers.
import { ensureEngine } from './lib/engine.ts';
import { runMain } from './lib/errors.ts';
import { info } from './lib/output.ts';

await runMain(async () => {
  const facts = await ensureEngine();
  info(`engine: Docker ${facts.engineVersion}, Compose ${facts.composeVersion}, ready`);
});
