// `make health` in swarm mode: per service, the replicas running of those desired and the nodes
// they run on. Swarm counts a task as running only once its healthcheck passed, so running equals
// healthy; the published health URL is probed as in compose mode.
import type { ComposeModel } from '../compose.ts';
import { type SwarmService, type SwarmTask, runningTasks, stackServices } from '../docker/swarm-stack.ts';
import { healthProbe, probeHttp } from '../health.ts';
import { SWARM_SKIP_LABEL } from './stack-file.ts';

export interface SwarmServiceHealth {
  service: string;
  state: 'running' | 'degraded' | 'down' | 'missing';
  health: 'healthy' | 'unhealthy';
  replicas: { running: number; desired: number };
  nodes: string[];
  url?: string;
  httpStatus?: number;
  latencyMs?: number;
  ok: boolean;
}

/** Pure: one service's verdict from Swarm's counts and its tasks. */
export function judgeSwarmService(name: string, service: SwarmService | undefined, tasks: SwarmTask[]): SwarmServiceHealth {
  if (!service) return { service: name, state: 'missing', health: 'unhealthy', replicas: { running: 0, desired: 0 }, nodes: [], ok: false };
  const nodes = [...new Set(tasks.filter((t) => t.service === name && t.state.startsWith('Running')).map((t) => t.node))].sort();
  const state = service.running === 0 ? 'down' : service.running < service.desired ? 'degraded' : 'running';
  const ok = service.desired > 0 && service.running >= service.desired;
  return { service: name, state, health: ok ? 'healthy' : 'unhealthy', replicas: { running: service.running, desired: service.desired }, nodes, ok };
}

/** Every service the stack runs (those labelled galaxy.swarm.skip are not in it). */
export async function collectSwarmHealth(model: ComposeModel, values: Record<string, string>): Promise<SwarmServiceHealth[]> {
  const [services, tasks] = await Promise.all([stackServices(model.project), runningTasks(model.project)]);
  const byName = new Map(services.map((s) => [s.service, s]));
  return Promise.all(
    model.services
      .filter((s) => !s.labels[SWARM_SKIP_LABEL])
      .map(async (svc) => {
        const verdict = judgeSwarmService(svc.name, byName.get(svc.name), tasks);
        const probe = healthProbe(model, svc.name, values);
        if (!probe || !verdict.ok) return verdict;
        const { status, latencyMs: raw } = await probeHttp(probe.url, undefined, probe.headers);
        const latencyMs = Math.round(raw * 10) / 10;
        const answered = status !== undefined && status < 400;
        return {
          ...verdict,
          url: probe.url,
          httpStatus: status,
          latencyMs,
          ok: answered,
          health: answered ? 'healthy' : 'unhealthy',
        };
      }),
  );
}
