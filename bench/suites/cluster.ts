// The cluster suite (opt-in: `make bench ARGS="--only cluster"`): the same stack on a 3-node swarm on
// this machine (make cluster NODES=3: this engine and two Docker-in-Docker workers) next to compose
// mode, run by run: start to all healthy, the bench target (bench/lib/targets.ts: the stateless
// service behind the most proxies) scaled out from 1 to 3 replicas, its deploy at 3 replicas under
// load through the entry point, and (swarm only) a worker node lost under load.
// It turns this engine into a swarm manager for about half an hour, which no other stack may meet,
// so `make bench` leaves it out unless named. Traffic goes only to 127.0.0.1 published ports.
import { $ } from 'zx';
import { startLoad, waitForRequests } from '../../test/harness/load.ts';
import { type ScriptResult, TestStack, explain } from '../../test/harness/stack.ts';
import { taskNodes, until } from '../../test/harness/swarm.ts';
import { parseComposeConfig } from '../../scripts/lib/compose.ts';
import { setEnvValues } from '../../scripts/lib/env.ts';
import { replicasVariable } from '../../scripts/lib/swarm/settings.ts';
import { figure, measurement } from '../lib/figure.ts';
import { chooseTarget } from '../lib/targets.ts';
import { timed } from '../lib/stack.ts';
import type { Suite } from '../lib/suite.ts';

interface Mode {
  start: number[];
  scaleOut: number[];
  deploy: number[];
  deployFailed: number[];
}

interface Health {
  healthy: boolean;
  services: Array<{ service: string; ok: boolean }>;
}

const LOAD = { concurrency: 8, ratePerSecond: 100, maxRequests: 60_000, maxSeconds: 600 };

export const clusterSuite: Suite = {
  name: 'cluster',
  what: 'start, scale-out, deploy and node loss on a 3-node swarm on this machine, next to compose mode',
  optIn: 'it turns this engine into a swarm manager for about half an hour: make bench ARGS="--only cluster"',
  async run(ctx) {
    const stack = new TestStack();
    await stack.init();
    const config = await stack.compose(['config', '--format', 'json']);
    if (config.exitCode !== 0) throw new Error(`docker compose config failed: ${explain(config)}`);
    const model = parseComposeConfig(config.stdout);
    const target = chooseTarget(model);
    const service = target.service;
    // Three of each proxy without a host port (the site's hops that may run on any node): a node's
    // loss leaves two. The target starts at one, as the scale-out's starting point.
    const hops = target.chain.filter((name) => !model.services.find((s) => s.name === name)?.ports.length);
    setEnvValues(stack.envFile, { [replicasVariable(service)]: '1', ...Object.fromEntries(hops.map((name) => [replicasVariable(name), '3'])) });
    const worker = `${stack.project}-node-3`;
    const script = async (name: string, args: string[] = []): Promise<ScriptResult> => {
      const result = await stack.script(name, args, {}, '900s');
      if (result.exitCode !== 0) throw new Error(`scripts/${name}.sh ${args.join(' ')} failed: ${explain(result)}`);
      return result;
    };
    const { url } = target;
    /** Seconds of `body` and the requests that failed through the entry point while it ran (at least 2,000 sent). */
    const underLoad = async (body: () => Promise<unknown>) => {
      const load = startLoad({ url, ...LOAD });
      await waitForRequests(load, 200, 30);
      const { seconds } = await timed(body);
      await waitForRequests(load, 2000, 60);
      const traffic = await load.stop();
      if (traffic.failed) ctx.log(`bench: cluster: ${traffic.failed} failed of ${traffic.total}: ${traffic.failures.slice(0, 3).join(' | ')}`);
      return { seconds, failed: traffic.failed, total: traffic.total };
    };
    const health = async () => JSON.parse((await stack.script('health-check', ['--json'])).stdout) as Health;
    const modes: Record<'compose' | 'swarm', Mode> = {
      compose: { start: [], scaleOut: [], deploy: [], deployFailed: [] },
      swarm: { start: [], scaleOut: [], deploy: [], deployFailed: [] },
    };
    const moved: number[] = [];
    const lossFailed: number[] = [];
    const measureMode = async (mode: 'compose' | 'swarm', run: number) => {
      const m = modes[mode];
      await script('stop-all');
      m.start.push((await timed(() => script('start-all', mode === 'swarm' ? ['--swarm'] : []))).seconds);
      // Without load: under load the auto-scaler (swarm mode) would move the count itself.
      m.scaleOut.push((await timed(() => script('scale', [service, '--replicas', '3']))).seconds);
      const deploy = await underLoad(() => script('deploy', [service, '--force']));
      m.deploy.push(deploy.seconds);
      m.deployFailed.push(deploy.failed);
      ctx.log(
        `bench: cluster run ${run + 1} ${mode}: start ${m.start[run].toFixed(1)}s, scale-out ${m.scaleOut[run].toFixed(1)}s, deploy ${deploy.seconds.toFixed(1)}s with ${deploy.failed} failed of ${deploy.total}`,
      );
    };
    try {
      await script('cluster', ['--nodes', '3']);
      for (let run = 0; run < ctx.runs; run++) {
        await measureMode('compose', run);
        await script('scale', [service, '--replicas', '1']);
        await measureMode('swarm', run);
        // A worker frozen (as a hung or cut-off machine is): until every service's tasks run on the others.
        const loss = await underLoad(async () => {
          await $({ quiet: true })`docker pause ${worker}`;
          const seconds = await until(
            `the lost node's tasks on the other nodes`,
            async () =>
              !(await taskNodes(stack.project, service)).includes(worker) && (await health()).services.filter((s) => s.service !== service).every((s) => s.ok),
            300,
          );
          moved.push(seconds);
        });
        lossFailed.push(loss.failed);
        ctx.log(`bench: cluster run ${run + 1} node loss: tasks elsewhere after ${moved[run].toFixed(1)}s, ${loss.failed} failed of ${loss.total}`);
        await $({ quiet: true })`docker unpause ${worker}`;
        await until('every service healthy with the node back', async () => (await health()).healthy, 300);
        await script('scale', [service, '--replicas', '1']);
      }
    } finally {
      await $({ nothrow: true, quiet: true })`docker unpause ${worker}`;
      await stack.script('stop-all', [], {}, '300s');
      await stack.script('cluster', ['--down'], {}, '300s');
      await stack.destroy();
    }
    const compose = (name: string, command: string, values: number[], unit: string) => measurement(`${name} in compose mode`, command, values, unit);
    const { swarm } = modes;
    return {
      figures: [
        figure('cluster.start', './scripts/start-all.sh --swarm', swarm.start, {
          comparison: compose('start to all healthy', './scripts/start-all.sh (DEPLOY_TARGET=compose)', modes.compose.start, 's'),
        }),
        figure('cluster.scale-out', `./scripts/scale.sh ${service} --replicas 3`, swarm.scaleOut, {
          comparison: compose(`${service} from 1 to 3 replicas`, 'the same', modes.compose.scaleOut, 's'),
        }),
        figure('cluster.deploy', `./scripts/deploy.sh ${service} --force`, swarm.deploy, {
          comparison: compose(`deploy of ${service} at 3 replicas`, 'the same', modes.compose.deploy, 's'),
        }),
        figure('cluster.deploy-failed', `./scripts/deploy.sh ${service} --force`, swarm.deployFailed, {
          note: `${LOAD.ratePerSecond} requests/s, GET ${url} (through ${target.chain.join(', ')}), at least 2,000 requests`,
          comparison: compose(`failed requests during a deploy of ${service} at 3 replicas`, 'the same', modes.compose.deployFailed, 'requests'),
        }),
        figure('cluster.node-loss', 'docker pause <worker node>', moved, {
          note: `until no ${service} task and every other service's replicas run on the 2 nodes left`,
        }),
        figure('cluster.node-loss-failed', 'docker pause <worker node>', lossFailed, {
          note: `${LOAD.ratePerSecond} requests/s to ${url} from the pause until the tasks ran elsewhere (at least 2,000 requests)`,
        }),
      ],
      message:
        `a 3-node swarm on this machine (make cluster NODES=3: this engine as manager and two Docker-in-Docker workers), target ${service}, its proxies without a host port (${hops.join(', ') || 'none'}) at 3 replicas; ` +
        'each run measures compose mode, then swarm mode, on the same stack and images, then freezes a worker (docker pause) under load. Compose mode has no node to lose.',
    };
  },
};
