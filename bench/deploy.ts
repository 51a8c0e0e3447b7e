// Deploy benchmark (child suite of `make bench`; also runnable alone: tsx bench/deploy.ts --runs N).
// On its own throwaway stack, under a bounded load on 127.0.0.1 (GET /api/version through nginx):
// failed requests and duration of `deploy.sh backend` and `rollback.sh backend`, next to a plain
// `docker compose up -d --build --force-recreate --no-deps backend`; then seconds to recover from a
// crash (kill -9 of the backend's process) and from a hang (SIGSTOP: only the watcher can act).
// `--skip-recovery` leaves the crash and hang measurements out. Then the busy-machine variant: `--busy-runs N` (default 10) deploys of the backend with every
// core saturated by stress-ng, failed requests next to the quiet figure of the same session.
// Prints JSON figures on stdout.
import { parseArgs } from 'node:util';
import { type Figure, measurement } from './lib/figure.ts';
import { BenchStack, timed } from './lib/stack.ts';
import { startLoad, waitForRequests } from '../test/harness/load.ts';
import { ensureWatcher, removeTestWatcher, serviceContainer, waitRecovered } from '../test/harness/selfheal.ts';
import { saturateCpus } from '../test/harness/busy.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: process.env.BENCH_RUNS ?? '5' }, 'busy-runs': { type: 'string', default: '10' }, 'skip-recovery': { type: 'boolean', default: false } } });
// Each run swaps the backend three times (~1 min); the brief asks for at least five runs.
const runs = Math.max(1, Number(values.runs) || 5);
const busyRuns = Math.max(0, Number(values['busy-runs']) || 0);
const log = (line: string) => process.stderr.write(`deploy bench: ${line}\n`);

interface Sample {
  failed: number;
  total: number;
  seconds: number;
}

async function underLoad(stack: BenchStack, body: () => Promise<unknown>): Promise<Sample> {
  const load = startLoad({ url: `http://127.0.0.1:${stack.ports.FRONTEND_PORT}/api/version`, concurrency: 12, ratePerSecond: 150, maxRequests: 60_000, maxSeconds: 600 });
  await waitForRequests(load, 200, 30);
  const { seconds } = await timed(body);
  const traffic = await load.stop();
  if (traffic.failures.length) log(`failures: ${traffic.failures.slice(0, 3).join(' | ')}`);
  return { failed: traffic.failed, total: traffic.total, seconds };
}

const stack = await new BenchStack().init();
const samples: Record<'deploy' | 'rollback' | 'plain' | 'busy', Sample[]> = { deploy: [], rollback: [], plain: [], busy: [] };
const recovery: Record<'crash' | 'hang', number[]> = { crash: [], hang: [] };

/** Seconds from the signal until the backend is healthy again and answers through nginx. */
async function recover(signal: 'SIGKILL' | 'SIGSTOP'): Promise<number> {
  const before = await serviceContainer(stack.inner, 'backend');
  if (!before || before.health !== 'healthy') throw new Error(`backend is not healthy before the ${signal}: ${JSON.stringify(before)}`);
  process.kill(before.pid, signal);
  try {
    return await waitRecovered(stack.inner, 'backend', before.startedAt, `http://127.0.0.1:${stack.ports.FRONTEND_PORT}/api/version`, signal === 'SIGKILL' ? 120 : 240);
  } finally {
    if (signal === 'SIGSTOP') {
      try {
        process.kill(before.pid, 'SIGCONT'); // only matters when nothing restarted it
      } catch {
        /* restarted: the process is gone */
      }
    }
  }
}
try {
  log(`starting a throwaway stack (${stack.project})`);
  await stack.script('start-all');
  await ensureWatcher(stack.inner);
  for (let run = 1; run <= runs; run++) {
    samples.deploy.push(await underLoad(stack, () => stack.script('deploy', ['backend', '--force'])));
    samples.rollback.push(await underLoad(stack, () => stack.script('rollback', ['backend'])));
    samples.plain.push(await underLoad(stack, () => stack.plain(['up', '--detach', '--build', '--force-recreate', '--no-deps', '--wait', 'backend'])));
    if (!values['skip-recovery']) {
      recovery.crash.push(await recover('SIGKILL'));
      // The watcher restarts a container at most 3 times per 10 minutes (its storm guard): three
      // hangs fit in one session; the recovery suite measures five with a fresh watcher each.
      if (run <= 3) recovery.hang.push(await recover('SIGSTOP'));
    }
    log(`run ${run}/${runs}: crash ${recovery.crash.at(-1)?.toFixed(1)}s, hang ${recovery.hang.at(-1)?.toFixed(1) ?? '-'}s; ${['deploy', 'rollback', 'plain'].map((k) => { const s = samples[k as keyof typeof samples][run - 1]; return `${k} ${s.failed}/${s.total} failed in ${s.seconds.toFixed(1)}s`; }).join(', ')}`);
  }
  for (let run = 1; run <= busyRuns; run++) {
    const busy = await saturateCpus(900);
    try {
      samples.busy.push(await underLoad(stack, () => stack.script('deploy', ['backend', '--force'])));
    } finally {
      await busy.stop();
    }
    const s = samples.busy.at(-1) as Sample;
    log(`busy run ${run}/${busyRuns}: deploy ${s.failed}/${s.total} failed in ${s.seconds.toFixed(1)}s`);
  }
} finally {
  await removeTestWatcher(stack.inner);
  await stack.destroy();
}

const note = (list: Sample[]) => `failed of ${list.map((s) => s.total).join(', ')} requests (150 requests/s, GET /api/version through nginx on 127.0.0.1)`;
const plainCmd = 'docker compose up -d --build --force-recreate --no-deps --wait backend';
const figures: Figure[] = [
  {
    ...measurement('deploy backend: failed requests', 'make deploy service=backend ARGS=--force', samples.deploy.map((s) => s.failed), 'requests', note(samples.deploy)),
    comparison: measurement('plain compose redeploy: failed requests', plainCmd, samples.plain.map((s) => s.failed), 'requests', note(samples.plain)),
  },
  {
    ...measurement('deploy backend: duration', 'make deploy service=backend ARGS=--force', samples.deploy.map((s) => s.seconds), 's', 'build (cached after the first run) + two-hop swap + drain'),
    comparison: measurement('plain compose redeploy: duration', plainCmd, samples.plain.map((s) => s.seconds), 's'),
  },
  ...(samples.busy.length
    ? [
        {
          ...measurement('deploy backend on a saturated machine: failed requests', 'stress-ng --cpu <cores> & make deploy service=backend ARGS=--force', samples.busy.map((s) => s.failed), 'requests', note(samples.busy)),
          comparison: measurement('deploy backend on a quiet machine: failed requests', 'make deploy service=backend ARGS=--force', samples.deploy.map((s) => s.failed), 'requests', note(samples.deploy)),
        },
        measurement('deploy backend on a saturated machine: duration', 'stress-ng --cpu <cores> & make deploy service=backend ARGS=--force', samples.busy.map((s) => s.seconds), 's', 'every core busy with stress-ng for the whole deploy'),
      ]
    : []),
  measurement('rollback backend: failed requests', 'make rollback service=backend', samples.rollback.map((s) => s.failed), 'requests', note(samples.rollback)),
  measurement('rollback backend: duration', 'make rollback service=backend', samples.rollback.map((s) => s.seconds), 's'),
  ...(recovery.crash.length ? [measurement('backend recovery from a crash', 'kill -9 <backend pid>', recovery.crash, 's', 'Docker restart policy; until healthy and answering through nginx'),
  measurement('backend recovery from a hang', 'kill -STOP <backend pid>', recovery.hang, 's', 'watcher restart after the backend healthcheck fails twice (5 s apart, 10 s timeout each), the watcher\'s own probe gets no answer, and a 3 s graceful stop')] : []),
];
process.stdout.write(`${JSON.stringify({ figures }, null, 2)}\n`);
