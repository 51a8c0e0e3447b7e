// `make health` / scripts/health-check.sh [--json]: state, health, uptime, restarts and latency of
// every service; exit 0 only when all are healthy.
import { defineCommand } from './lib/command/define.ts';
import { type ComposeContext, loadComposeModel } from './lib/compose.ts';
import { collectSwarmHealth } from './lib/swarm/health.ts';
import { collectHealth } from './lib/health.ts';
import { formatDuration, green, info, red, table } from './lib/output.ts';
import { currentStack, withEngine } from './lib/stack.ts';

/** The same report in swarm mode: replicas and nodes where compose mode has uptime and restarts. */
async function swarmHealth(ctx: ComposeContext, values: Record<string, string>, json: boolean, started: number): Promise<number> {
  const { model, services } = await withEngine(async () => {
    const model = await loadComposeModel(ctx);
    return { model, services: await collectSwarmHealth(model, values) };
  });
  const healthy = services.every((s) => s.ok);
  if (json) {
    const durationMs = Math.round(performance.now() - started);
    info(JSON.stringify({ project: model.project, target: 'swarm', healthy, checkedAt: new Date().toISOString(), durationMs, services }, null, 2));
  } else {
    const rows = [['SERVICE', 'STATE', 'HEALTH', 'REPLICAS', 'NODES', 'LATENCY', 'URL']];
    for (const s of services)
      rows.push([
        s.service,
        s.state,
        s.ok ? green(s.health) : red(s.health),
        `${s.replicas.running}/${s.replicas.desired}`,
        s.nodes.join(',') || '-',
        s.latencyMs === undefined ? '-' : `${s.latencyMs}ms`,
        s.url ?? '-',
      ]);
    info(table(rows));
    const bad = services.filter((s) => !s.ok).map((s) => s.service);
    info(healthy ? green(`all ${services.length} services healthy (swarm)`) : red(`unhealthy: ${bad.join(', ')}`));
  }
  return healthy ? 0 : 1;
}

const healthCommand = {
  name: 'health-check.sh',
  summary: "Every service's state, health, uptime, restarts and latency; exit 0 only when all are healthy.",
  options: { json: { type: 'boolean', default: false, help: 'one JSON document instead of the table' } },
  examples: ['make health', './scripts/health-check.sh --json'],
} as const;

await defineCommand(healthCommand, {
  run: async (parsed) => {
    const started = performance.now();
    // Quick enough for cron and pipelines: no engine check of its own (withEngine explains a
    // failed call), the model from its cache, the containers in one listing, the probes in parallel.
    const { ctx, values, target } = await currentStack(undefined, { checkEngine: false });
    if (target === 'swarm') return swarmHealth(ctx, values, parsed.values.json, started);
    const { model, services } = await withEngine(async () => {
      const model = await loadComposeModel(ctx);
      return { model, services: await collectHealth(model, values) };
    });
    const healthy = services.every((s) => s.ok);
    if (parsed.values.json) {
      info(
        JSON.stringify(
          { project: model.project, healthy, checkedAt: new Date().toISOString(), durationMs: Math.round(performance.now() - started), services },
          null,
          2,
        ),
      );
    } else {
      const rows = [['SERVICE', 'STATE', 'HEALTH', 'UPTIME', 'RESTARTS', 'LATENCY', 'URL']];
      for (const s of services) {
        rows.push([
          s.service,
          s.replicas ? `${s.state} ${s.replicas.running}/${s.replicas.desired}` : s.state,
          s.ok ? green(s.health) : red(s.health),
          s.uptimeSeconds === undefined ? '-' : formatDuration(s.uptimeSeconds),
          s.restarts === undefined ? '-' : String(s.restarts),
          s.latencyMs === undefined
            ? '-'
            : `${s.latencyMs}ms${s.httpStatus && s.httpStatus >= 300 ? ` (${s.httpStatus})` : s.httpStatus ? '' : ' (no answer)'}`,
          s.url ?? '-',
        ]);
      }
      info(table(rows));
      const bad = services.filter((s) => !s.ok).map((s) => s.service);
      info(healthy ? green(`all ${services.length} services healthy`) : red(`unhealthy: ${bad.join(', ')}`));
    }
    return healthy ? 0 : 1;
  },
});
