// Which services the deploy and recovery benchmarks act on, chosen from the compose model's labels,
// never from a list in code (pure, unit-tested): the stateless services behind the stack's proxies.
//
// A target is built by the kit, deployed `rolling` (galaxy.deploy), stands behind a proxy
// (galaxy.proxy.upstreams on the proxy names it) and says where its answers can be asked for on the
// stack's entry point (galaxy.entry.path): the load of a deploy goes there, through every proxy in
// front of it. The default target is the one behind the most proxies: its deploy crosses them all.
import { type ComposeModel, type ServiceModel, proxiesOf, publishedUrl } from '../../scripts/lib/compose.ts';

export interface BenchTarget {
  service: string;
  /** Proxies between the entry point and the service, outermost first. */
  chain: string[];
  /** A URL on 127.0.0.1 through the entry point that only answers when the service does. */
  url: string;
}

/** The outermost proxy in front of `name` and the ones between, outermost first; undefined when none. */
function proxyChain(services: ServiceModel[], name: string, seen: string[] = []): string[] | undefined {
  const proxies = proxiesOf(services, name).filter((p) => !seen.includes(p));
  for (const proxy of proxies) {
    const outer = proxyChain(services, proxy, [...seen, name]);
    if (outer) return [...outer, proxy];
    if (services.find((s) => s.name === proxy)?.ports.length) return [proxy];
  }
  return undefined;
}

/** Every bench target of the model, the one behind the most proxies first. */
export function benchTargets(model: ComposeModel): BenchTarget[] {
  return model.services
    .filter((s) => s.build && s.deploy === 'rolling' && s.labels['galaxy.entry.path'])
    .flatMap((s): BenchTarget[] => {
      const chain = proxyChain(model.services, s.name);
      const entry = chain && model.services.find((p) => p.name === chain[0])?.ports[0];
      if (!chain || !entry) return [];
      return [{ service: s.name, chain, url: `${publishedUrl(entry)}${s.labels['galaxy.entry.path']}` }];
    })
    .sort((a, b) => b.chain.length - a.chain.length);
}

/** The target named by a bench option, or the default one; refuses a name that is no target. */
export function chooseTarget(model: ComposeModel, requested?: string): BenchTarget {
  const targets = benchTargets(model);
  if (!targets.length) throw new Error('no bench target in the compose files: label a rolling service behind a proxy with galaxy.entry.path');
  if (!requested) return targets[0];
  const found = targets.find((t) => t.service === requested);
  if (!found)
    throw new Error(
      `${requested} is not a bench target: choose one of ${targets.map((t) => t.service).join(', ')} (rolling, behind a proxy, with galaxy.entry.path)`,
    );
  return found;
}

/** The services the watcher guards (galaxy.autoheal=true), in the compose model's order. */
export function guardedServices(model: ComposeModel): string[] {
  return model.services.filter((s) => s.labels['galaxy.autoheal'] === 'true').map((s) => s.name);
}
