// health-check latency for the whole stack: the full command as a person or cron runs it, the
// probing alone (its own --json durationMs), next to a plain `docker compose ps`.
import { measurement } from '../lib/figure.ts';
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
    const curl = await repeat(ctx.runs, async () => {
      const urls = Object.entries(stack.ports)
        .filter(([name]) => ['FRONTEND_PORT', 'BACKEND_PORT', 'MEMORY_API_PORT', 'EXPERIENCE_API_PORT'].includes(name))
        .map(([, port]) => `http://127.0.0.1:${port}/health`);
      const { seconds } = await timed(() => Promise.all(urls.map((u) => fetch(u, { signal: AbortSignal.timeout(5000) }).then((r) => r.arrayBuffer()))));
      return seconds * 1000;
    });
    return {
      message: 'health-check command = the whole process (tsx start, compose ps, docker inspect, one HTTP probe per service); probing = its own durationMs field.',
      figures: [
        { ...measurement('health-check command, whole stack', './scripts/health-check.sh --json', ours, 'ms'), comparison: measurement('plain compose ps', 'docker compose ps --all --format json', plain, 'ms') },
        { ...measurement('health-check probing (durationMs)', './scripts/health-check.sh --json  (.durationMs)', internal, 'ms'), comparison: measurement('four /health fetches in parallel', 'fetch http://127.0.0.1:<port>/health for the 4 HTTP services', curl, 'ms') },
      ],
    };
  },
};
