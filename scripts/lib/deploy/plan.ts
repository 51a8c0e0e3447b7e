// Which services a deploy touches, in which order and how (pure, unit-tested).
import { type ServiceModel, proxiesOf } from '../compose.ts';
import { UsageError } from '../errors.ts';

export type Strategy = 'rolling' | 'recreate';

export interface DeployStep {
  service: string;
  strategy: Strategy;
  /**
   * Rolling replacement in two hops when the service publishes host ports: a host port can be held
   * by one container only, so the first new container runs without it (and proves the version
   * healthy while the old one keeps serving), the second one takes the port over.
   */
  hops: 1 | 2;
  /** How many containers it runs (compose's scale, from .env's <SERVICE>_REPLICAS): each is replaced. */
  replicas: number;
  /** Services that forward requests to this one (their label `galaxy.proxy.upstreams` names it). */
  proxies: string[];
}

export function strategyOf(service: ServiceModel): Strategy {
  return service.deploy === 'rolling' ? 'rolling' : 'recreate';
}

/**
 * With a service named: that service (any deployable one). Without: every rolling (stateless)
 * service with an image built by the kit, dependencies first, one at a time.
 */
/** How one service is replaced: by deploys, rollbacks, and restarts of stateless services. */
export function replacementStep(services: ServiceModel[], s: ServiceModel): DeployStep {
  return {
    service: s.name,
    strategy: strategyOf(s),
    hops: strategyOf(s) === 'rolling' && s.ports.length > 0 ? 2 : 1,
    replicas: s.replicas ?? 1,
    proxies: proxiesOf(services, s.name),
  };
}

export function planDeploy(services: ServiceModel[], requested?: string): DeployStep[] {
  const buildable = services.filter((s) => s.build);
  const step = (s: ServiceModel): DeployStep => replacementStep(services, s);
  if (requested) {
    const found = services.find((s) => s.name === requested);
    if (!found) throw new UsageError(`unknown service '${requested}': use one of ${buildable.map((s) => s.name).join(', ')}`);
    if (!found.build)
      throw new UsageError(
        `${requested} runs an image the kit does not build (change its image variable in .env and 'make restart service=${requested}'); deployable: ${buildable.map((s) => s.name).join(', ')}`,
      );
    return [step(found)];
  }
  // `services` comes from parseComposeConfig already in dependency order.
  return buildable.filter((s) => strategyOf(s) === 'rolling').map(step);
}

/**
 * The steps grouped into waves that move together, in order: a step waits for every planned step
 * it depends on or forwards requests to (its upstreams' switches are proven through its own
 * connections, so it must not be replaced at the same time), and a wave holds at most `limit`
 * steps. Steps of one wave share one compose call and one readiness poll: a compose call loads the
 * whole project, so one per service made a deploy of N services cost O(N^2).
 */
export function deployWaves(steps: DeployStep[], services: ServiceModel[], limit: number): DeployStep[][] {
  const planned = new Map(steps.map((s) => [s.service, s]));
  const model = new Map(services.map((s) => [s.name, s]));
  const before = (step: DeployStep): string[] => {
    const deps = model.get(step.service)?.dependsOn ?? [];
    const upstreams = steps.filter((other) => other.proxies.includes(step.service)).map((other) => other.service);
    return [...new Set([...deps, ...upstreams])].filter((name) => name !== step.service && planned.has(name));
  };
  const level = new Map<string, number>();
  const levelOf = (step: DeployStep, visiting: Set<string>): number => {
    const known = level.get(step.service);
    if (known !== undefined) return known;
    // Compose refuses cyclic depends_on, but a proxy label naming a service that depends on the
    // proxy makes a cycle: its back edge is dropped, and the two still land in different waves.
    if (visiting.has(step.service)) return -1;
    visiting.add(step.service);
    const mine = Math.max(-1, ...before(step).map((name) => levelOf(planned.get(name) as DeployStep, visiting))) + 1;
    visiting.delete(step.service);
    level.set(step.service, mine);
    return mine;
  };
  const byLevel = new Map<number, DeployStep[]>();
  for (const step of steps) {
    const l = levelOf(step, new Set());
    byLevel.set(l, [...(byLevel.get(l) ?? []), step]);
  }
  const waves: DeployStep[][] = [];
  for (const l of [...byLevel.keys()].sort((a, b) => a - b)) {
    const group = byLevel.get(l) as DeployStep[];
    for (let i = 0; i < group.length; i += limit) waves.push(group.slice(i, i + limit));
  }
  return waves;
}
