// health-check latency for the whole stack: the full command as a person or cron runs it, the
// probing alone (its own --json durationMs), next to a plain `docker compose ps`.
import { parseComposeConfig } from '../../scripts/lib/compose.ts';
import { healthUrl } from '../../scripts/lib/health.ts';
import { figure, measurement } from '../lib/figure.ts';
import { timed } from '../lib/stack.ts';
import { type Suite, repeat } from '../lib/suite.ts';
import { ensureRunning } from './start.ts';

export const healthSuite: Suite = {
  name: 'health',
  what: 'scripts/health-check.sh latency for the whole stack',
  async run(ctx) {
    const stack = await ensureRunning(ctx);
    const internal: number[] = [];
    const ours = await repeat(ctx.runs, async () => {
      const { seconds, result } = await timed(() => stack.script('health-check', ['--json'], '120s'));
      internal.push((JSON.parse(result.stdout) as { durationMs: number }).durationMs);
      return seconds * 1000;
    });
    const plain = await repeat(ctx.runs, async () => (await timed(() => stack.plain(['ps', '--all', '--format', 'json'], '60s'))).seconds * 1000);
    // The same URLs health-check probes: every service with a published port and a health path.
    const model = parseComposeConfig((await stack.plain(['config', '--format', 'json'], '60s')).stdout);
    const urls = model.services.map((svc) => healthUrl(model, svc.name)).filter((u): u is string => Boolean(u));
    const fetches = await repeat(ctx.runs, async () => {
      const { seconds } = await timed(() => Promise.all(urls.map((u) => fetch(u, { signal: AbortSignal.timeout(5000) }).then((r) => r.arrayBuffer()))));
      return seconds * 1000;
    });
    return {
      message:
        'health-check command = the whole process (run.sh, node on the bundle in .build/, the compose model from its cache, the containers from the engine, one HTTP probe per service in parallel); probing = its own durationMs field.',
      figures: [
        figure('health.command', './scripts/health-check.sh --json', ours, {
          comparison: measurement('plain compose ps', 'docker compose ps --all --format json', plain, 'ms'),
        }),
        figure('health.probing', './scripts/health-check.sh --json  (.durationMs)', internal, {
          comparison: measurement(
            `${urls.length} health URLs fetched in parallel`,
            `fetch ${urls.map((u) => new URL(u).pathname).join(', ')} (the published health URLs)`,
            fetches,
            'ms',
          ),
        }),
      ],
    };
  },
};
