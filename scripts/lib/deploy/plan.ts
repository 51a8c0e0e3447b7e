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
