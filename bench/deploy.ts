// Deploy benchmark (child suite of `make bench`; also runnable alone:
// tsx bench/deploy.ts [--runs N] [--busy-runs N] [--service NAME]).
// On its own throwaway stack, under a bounded load on 127.0.0.1 sent through the stack's entry
// point: failed requests and duration of `deploy.sh <service>` and `rollback.sh <service>`, next to a
// plain `docker compose up -d --build --force-recreate --no-deps <service>`, and of
// `restart-service.sh <service>` next to a plain `docker compose restart <service>`; then the busy-machine
// variant: `--busy-runs N` (default 10) deploys with every core saturated by stress-ng, failed
// requests next to the quiet figure of the same session. Crash and hang recovery are the recovery
// suite's figures (bench/suites/recovery.ts), measured there only.
//
// The service comes from the compose labels (bench/lib/targets.ts): by default the stateless
// service behind the most proxies, so its deploy crosses every one of them; `--service` picks
// another target. Prints JSON figures on stdout.
import { startLoad, waitForRequests } from '../test/harness/load.ts';
import { saturateCpus } from '../test/harness/busy.ts';
import { type Figure, figure, measurement } from './lib/figure.ts';
import { BenchStack, timed } from './lib/stack.ts';
import { childOptions, parseRuns, runsOption } from './lib/options.ts';
import { type BenchTarget, chooseTarget } from './lib/targets.ts';

const {
  runs,
  busyRuns,
  service: chosenService,
} = childOptions(
  {
    name: 'bench/deploy.ts',
    summary: 'Deploy and rollback under load on a throwaway stack, next to a plain compose redeploy; then deploys with every core saturated.',
    options: {
      runs: runsOption,
      'busy-runs': { type: 'string', value: 'N', default: '10', help: 'deploys on a saturated machine, 0 to 50' },
      service: { type: 'string', value: 'NAME', help: 'the service to deploy (default: the one behind the most proxies)' },
    },
    examples: ['tsx bench/deploy.ts --runs 5 --busy-runs 10', 'tsx bench/deploy.ts --runs 1 --busy-runs 0 --service web'],
  },
  // Each run swaps the service three times (~1 min); the brief asks for at least five runs.
  (values) => ({
    runs: parseRuns(values.runs),
    busyRuns: values['busy-runs'] === '0' ? 0 : parseRuns(values['busy-runs'], '--busy-runs'),
    service: values.service,
  }),
);
const log = (line: string) => process.stderr.write(`deploy bench: ${line}\n`);

interface Sample {
  failed: number;
  total: number;
  seconds: number;
}

async function underLoad(url: string, body: () => Promise<unknown>): Promise<Sample> {
  const load = startLoad({ url, concurrency: 12, ratePerSecond: 150, maxRequests: 60_000, maxSeconds: 600 });
  await waitForRequests(load, 200, 30);
  const { seconds } = await timed(body);
  const traffic = await load.stop();
  if (traffic.failures.length) log(`failures: ${traffic.failures.slice(0, 3).join(' | ')}`);
  return { failed: traffic.failed, total: traffic.total, seconds };
}

/** Every deploy, rollback and plain redeploy of the target, under load, on a started stack. */
type SampleKind = 'deploy' | 'rollback' | 'plain' | 'restart' | 'plainRestart' | 'busy';

async function measure(stack: BenchStack, target: BenchTarget): Promise<Record<SampleKind, Sample[]>> {
  const { service, url } = target;
  const samples: Record<SampleKind, Sample[]> = { deploy: [], rollback: [], plain: [], restart: [], plainRestart: [], busy: [] };
  log(`starting a throwaway stack (${stack.project}); target ${service}, load on ${url} through ${target.chain.join(' -> ')}`);
  await stack.script('start-all');
  for (let run = 1; run <= runs; run++) {
    samples.deploy.push(await underLoad(url, () => stack.script('deploy', [service, '--force'])));
    samples.rollback.push(await underLoad(url, () => stack.script('rollback', [service])));
    samples.plain.push(await underLoad(url, () => stack.plain(['up', '--detach', '--build', '--force-recreate', '--no-deps', '--wait', service])));
    samples.restart.push(await underLoad(url, () => stack.script('restart-service', [service])));
    // `docker compose restart` returns once the container is started, not when it serves again: the
    // load runs on until it is healthy (up --wait), so its failures are all counted and none of them
    // fall into the next run's deploy.
    samples.plainRestart.push(
      await underLoad(url, async () => {
        await stack.plain(['restart', service]);
        await stack.plain(['up', '--detach', '--wait', '--no-deps', service]);
      }),
    );
    log(
      `run ${run}/${runs}: ${(['deploy', 'rollback', 'plain', 'restart', 'plainRestart'] as const)
        .map((k) => {
          const s = samples[k][run - 1];
          return `${k} ${s.failed}/${s.total} failed in ${s.seconds.toFixed(1)}s`;
        })
        .join(', ')}`,
    );
  }
  for (let run = 1; run <= busyRuns; run++) {
    const busy = await saturateCpus(900);
    try {
      samples.busy.push(await underLoad(url, () => stack.script('deploy', [service, '--force'])));
    } finally {
      await busy.stop();
    }
    const s = samples.busy.at(-1) as Sample;
    log(`busy run ${run}/${busyRuns}: deploy ${s.failed}/${s.total} failed in ${s.seconds.toFixed(1)}s`);
  }
  return samples;
}

const stack = await new BenchStack().init();
let target: BenchTarget;
let samples: Awaited<ReturnType<typeof measure>>;
try {
  target = chooseTarget(await stack.model(), chosenService);
  samples = await measure(stack, target);
} finally {
  await stack.destroy();
}

const { service, url } = target;
const path = new URL(url).pathname;
const note = (list: Sample[]) =>
  `failed of ${list.map((s) => s.total).join(', ')} requests (150 requests/s, GET ${path} through ${target.chain.join(', ')} on 127.0.0.1)`;
const deployCmd = `make deploy service=${service} ARGS=--force`;
const busyCmd = `stress-ng --cpu <cores> & ${deployCmd}`;
const rollbackCmd = `make rollback service=${service}`;
const plainCmd = `docker compose up -d --build --force-recreate --no-deps --wait ${service}`;
const restartCmd = `make restart service=${service}`;
const plainRestartCmd = `docker compose restart ${service}; docker compose up --detach --wait --no-deps ${service}`;
const of = (list: Sample[], key: 'failed' | 'seconds') => list.map((s) => s[key]);
interface PlainCommand {
  name: string;
  command: string;
  samples: Sample[];
}
const plainRedeploy: PlainCommand = { name: 'plain compose redeploy', command: plainCmd, samples: samples.plain };
const plainRestart: PlainCommand = { name: 'plain compose restart', command: plainRestartCmd, samples: samples.plainRestart };
/** The plain compose command's figure of the same kind: what a kit figure is compared with. */
const compared = (plain: PlainCommand, key: 'failed' | 'seconds') =>
  key === 'failed'
    ? measurement(`${plain.name}: failed requests`, plain.command, of(plain.samples, 'failed'), 'requests', note(plain.samples))
    : measurement(`${plain.name}: duration`, plain.command, of(plain.samples, 'seconds'), 's');
const figures: Figure[] = [
  figure('deploy.failed-requests', deployCmd, of(samples.deploy, 'failed'), {
    subject: service,
    note: note(samples.deploy),
    comparison: compared(plainRedeploy, 'failed'),
  }),
  figure('deploy.duration', deployCmd, of(samples.deploy, 'seconds'), {
    subject: service,
    note: 'build (cached after the first run) + two-hop swap + drain',
    comparison: compared(plainRedeploy, 'seconds'),
  }),
  ...(samples.busy.length
    ? [
        figure('deploy.busy-failed-requests', busyCmd, of(samples.busy, 'failed'), {
          subject: service,
          note: note(samples.busy),
          comparison: measurement(
            `deploy ${service} on a quiet machine: failed requests`,
            deployCmd,
            of(samples.deploy, 'failed'),
            'requests',
            note(samples.deploy),
          ),
        }),
        figure('deploy.busy-duration', busyCmd, of(samples.busy, 'seconds'), { subject: service, note: 'every core busy with stress-ng for the whole deploy' }),
      ]
    : []),
  figure('rollback.failed-requests', rollbackCmd, of(samples.rollback, 'failed'), { subject: service, note: note(samples.rollback) }),
  figure('rollback.duration', rollbackCmd, of(samples.rollback, 'seconds'), { subject: service }),
  figure('restart.failed-requests', restartCmd, of(samples.restart, 'failed'), {
    subject: service,
    note: note(samples.restart),
    comparison: compared(plainRestart, 'failed'),
  }),
  figure('restart.duration', restartCmd, of(samples.restart, 'seconds'), {
    subject: service,
    note: 'a new container healthy first, the switch proven, the old one drained; no build',
    comparison: compared(plainRestart, 'seconds'),
  }),
];
process.stdout.write(`${JSON.stringify({ figures }, null, 2)}\n`);
