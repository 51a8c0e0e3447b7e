// Start-up figures: warm start (images cached) until all healthy, each service's own time to
// healthy when started alone, and the orchestration overhead (all-healthy minus the slowest alone),
// each next to plain `docker compose up --wait` run in the same session.
import { figure, measurement } from '../lib/figure.ts';
import type { BenchStack } from '../lib/stack.ts';
import { timed } from '../lib/stack.ts';
import { type Suite, type SuiteContext } from '../lib/suite.ts';

/** Brings the stack down (data volumes kept) so the next start is a warm one. */
async function downKeepData(stack: BenchStack): Promise<void> {
  const out = await stack.inner.compose(['down', '--timeout', '20', '--remove-orphans']);
  if (out.exitCode !== 0) throw new Error(`compose down failed: ${out.stderr.trim().split('\n').slice(-1)[0]}`);
}

/** The services of the stack as the scripts start them (profiles included). */
export async function serviceNames(stack: BenchStack): Promise<string[]> {
  const out = await stack.plain(['config', '--services'], '60s');
  return out.stdout.trim().split('\n').filter(Boolean);
}

/** Makes sure the stack is up and healthy (first start may build images). */
export async function ensureRunning(ctx: SuiteContext): Promise<BenchStack> {
  const stack = await ctx.stack();
  ctx.log(`bench: making sure stack ${stack.project} is up`);
  await stack.script('start-all');
  return stack;
}

/** Each service alone: its container removed and started again with `--no-deps` (dependencies up). */
async function aloneTimes(ctx: SuiteContext, stack: BenchStack, services: string[]): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(services.map((s) => [s, []]));
  for (let run = 0; run < ctx.runs; run++) {
    for (const service of services) {
      await stack.plain(['rm', '--stop', '--force', service], '120s');
      const { seconds } = await timed(() => stack.plain(['up', '--detach', '--wait', '--wait-timeout', '300', '--no-deps', service], '360s'));
      times.get(service)?.push(seconds);
      ctx.log(`bench: alone ${service} run ${run + 1}: ${seconds.toFixed(2)}s`);
    }
    // Dependants may have noticed their dependency go away: all healthy again before the next round.
    await stack.plain(['up', '--detach', '--wait', '--wait-timeout', '300'], '360s');
  }
  return times;
}

export const startSuite: Suite = {
  name: 'start',
  what: 'warm start until all healthy, each service alone, orchestration overhead',
  async run(ctx) {
    const stack = await ensureRunning(ctx);
    // Paired: each run times ours and plain compose one after the other, so the load other work
    // puts on the machine at that moment weighs on both alike (the machine is shared).
    const ours: number[] = [];
    const plain: number[] = [];
    const oursRunning: number[] = [];
    const plainRunning: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      oursRunning.push((await timed(() => stack.script('start-all'))).seconds);
      plainRunning.push((await timed(() => stack.plain(['up', '--detach', '--wait', '--wait-timeout', '300'], '360s'))).seconds);
      await stack.script('stop-all');
      ours.push((await timed(() => stack.script('start-all'))).seconds);
      await downKeepData(stack);
      plain.push((await timed(() => stack.plain(['up', '--detach', '--wait', '--wait-timeout', '300'], '360s'))).seconds);
      ctx.log(
        `bench: run ${run + 1}: warm start ${ours[run].toFixed(2)}s, plain ${plain[run].toFixed(2)}s; running ${oursRunning[run].toFixed(2)}s, plain ${plainRunning[run].toFixed(2)}s`,
      );
    }
    const services = await serviceNames(stack);
    const alone = await aloneTimes(ctx, stack, services);
    const slowestPerRun = Array.from({ length: ctx.runs }, (_, i) => Math.max(...services.map((s) => alone.get(s)?.[i] ?? 0)));
    const slowestMedian = services.map((s) => ({ s, m: measurement(s, '', alone.get(s) ?? [0], 's').median })).sort((a, b) => b.m - a.m)[0];
    const warmCommand = './scripts/stop-all.sh (data kept); ./scripts/start-all.sh';
    const plainCommand = `docker compose down; docker compose up --detach --wait  (same files, profiles, images)`;
    return {
      message:
        `warm start = containers removed, images and data volumes kept, timed from the command until every service is healthy; ` +
        `each run times ours, then plain compose, one after the other (over-plain = their difference in that run); running = the same commands on a stack already up. ` +
        `"alone" = the service's container removed and started again with \`docker compose up --wait --no-deps\` while its dependencies run. ` +
        `overhead = warm start minus the slowest service alone, paired run by run (slowest alone: ${slowestMedian?.s}, median ${slowestMedian?.m}s).`,
      figures: [
        figure('start.warm', warmCommand, ours, { comparison: measurement('plain compose up --wait', plainCommand, plain, 's') }),
        figure(
          'start.over-plain',
          'warm start − plain compose up --wait of the same run',
          ours.map((t, i) => t - plain[i]),
        ),
        figure('start.running', './scripts/start-all.sh  (every service already up)', oursRunning, {
          comparison: measurement(
            'plain compose up --wait, stack running',
            'docker compose up --detach --wait  (same files, profiles, images)',
            plainRunning,
            's',
          ),
        }),
        ...services.map((s) =>
          figure('start.alone', `docker compose rm -sf ${s}; docker compose up --detach --wait --no-deps ${s}`, alone.get(s) ?? [], { subject: s }),
        ),
        figure(
          'start.overhead',
          'warm start − slowest service alone',
          ours.map((t, i) => t - slowestPerRun[i]),
          {
            comparison: measurement(
              'orchestration overhead (plain compose)',
              'plain compose up --wait − slowest service alone',
              plain.map((t, i) => t - slowestPerRun[i]),
              's',
            ),
          },
        ),
      ],
    };
  },
};
