// Cold start: no service images and no data, built and started from nothing but the offline base
// set. "No images" deliberately keeps galaxy-offline/* (the stand-ins for official images): those
// take minutes of package downloads to rebuild, are shared with the user's stack, and are measured
// by `make images` itself. What is removed is everything this stack builds and stores.
import { figure, measurement } from '../lib/figure.ts';
import type { BenchStack } from '../lib/stack.ts';
import { timed } from '../lib/stack.ts';
import { type Suite, repeat } from '../lib/suite.ts';

async function wipe(stack: BenchStack): Promise<void> {
  const down = await stack.inner.compose(['down', '--volumes', '--timeout', '10', '--remove-orphans']);
  if (down.exitCode !== 0) throw new Error(`compose down failed: ${down.stderr.trim().split('\n').slice(-1)[0]}`);
  await stack.removeImages();
}

export const coldSuite: Suite = {
  name: 'cold',
  what: 'cold start: own images and volumes removed, built without layer cache, until all healthy',
  async run(ctx) {
    const stack = await ctx.stack();
    // One untimed start first: it resolves the image source and records it for plain compose.
    await stack.script('start-all');
    const ours = await repeat(ctx.runs, async (run) => {
      await wipe(stack);
      const { seconds } = await timed(async () => {
        await stack.plain(['build', '--no-cache'], '1800s');
        await stack.script('start-all');
      });
      ctx.log(`bench: cold start run ${run + 1}: ${seconds.toFixed(1)}s`);
      return seconds;
    });
    const plain = await repeat(ctx.runs, async (run) => {
      await wipe(stack);
      const { seconds } = await timed(async () => {
        await stack.plain(['build', '--no-cache'], '1800s');
        await stack.plain(['up', '--detach', '--wait', '--wait-timeout', '300'], '360s');
      });
      ctx.log(`bench: plain cold start run ${run + 1}: ${seconds.toFixed(1)}s`);
      return seconds;
    });
    return {
      message:
        `cold start = this stack's own images (${(await stack.builtImages()).join(', ')}) and data volumes removed, then built without the layer cache ` +
        `(the npm download cache mount is kept) and started until every service is healthy. The offline base images galaxy-offline/* are kept: ` +
        `rebuilding them is \`make images\` (minutes of package downloads) and they are shared with the user's stack.`,
      figures: [
        figure('cold.start', 'docker image rm galaxy/*:<bench tag>; docker compose down -v; docker compose build --no-cache; ./scripts/start-all.sh', ours, {
          comparison: measurement(
            'plain compose cold start',
            'docker image rm galaxy/*:<bench tag>; docker compose down -v; docker compose build --no-cache; docker compose up --detach --wait',
            plain,
            's',
          ),
        }),
      ],
    };
  },
};
