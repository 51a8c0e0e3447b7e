// Proving the switch before the old container stops accepting. The proxies in front of a service
// (compose label `galaxy.proxy.upstreams` on the proxy) find its containers through Docker's DNS,
// each with its own cache. Once a proxy has opened a connection to the new container, its cache
// holds the new address, so a refused connection to the old one is retried there instead of
// becoming a 502. Evidence comes from the kernel's TCP tables of the project's containers
// (docker/sockets.ts), read from the host: no request is sent and no image needs a tool for it.
import type { ContainerInfo } from '../docker/containers.ts';
import { readTable } from '../docker/sockets.ts';
import { sleep } from './containers.ts';
import { type Connection, type Endpoint, type TcpSocket, connectionKey, connectionsTo, inFlight, isLoopback } from '../docker/tcp-table.ts';

/** The proxies' caches: nginx `resolver ... valid=1s` counted on a 1-second clock, plus one lookup. */
export const RESOLVER_REFRESH_MS = 2500;

export interface ProxyState {
  proxy: string;
  /** New connections to the old container(s) since the new one became healthy. */
  toOld: number;
  /** Connections to the new container seen since it became healthy. */
  toNew: number;
}

export interface SwitchVerdict {
  proven: boolean;
  /** Proxies still sending the old container new connections and none to the new one. */
  pending: string[];
  proxies: ProxyState[];
}

/**
 * Pure decision over everything seen since the new container became healthy: each proxy that
 * opened connections to the old container must also have opened one to the new container; a
 * proxy that sent nothing at all has nothing to lose, once its cache has had time to expire
 * (`elapsedMs >= refreshMs`), because an expired entry is looked up again before the next request.
 */
export function switchVerdict(input: {
  proxies: Array<{ name: string; ips: string[] }>;
  baseline: Set<string>;
  seen: Connection[];
  oldEndpoints: Endpoint[];
  newEndpoints: Endpoint[];
  elapsedMs: number;
  refreshMs?: number;
}): SwitchVerdict {
  const refreshMs = input.refreshMs ?? RESOLVER_REFRESH_MS;
  const within = (e: Endpoint, list: Endpoint[]) => list.some((x) => x.ip === e.ip && x.port === e.port);
  const proxies = input.proxies.map((p): ProxyState => {
    const mine = input.seen.filter((c) => p.ips.includes(c.client.ip));
    return {
      proxy: p.name,
      toOld: mine.filter((c) => within(c.server, input.oldEndpoints) && !input.baseline.has(connectionKey(c))).length,
      toNew: mine.filter((c) => within(c.server, input.newEndpoints)).length,
    };
  });
  const pending = proxies.filter((p) => p.toOld > 0 && p.toNew === 0).map((p) => p.proxy);
  const idleOnly = proxies.every((p) => p.toNew > 0 || p.toOld === 0) && proxies.some((p) => p.toNew === 0);
  const proven = pending.length === 0 && (!idleOnly || input.elapsedMs >= refreshMs);
  return { proven, pending, proxies };
}

/** The addresses a container listens on from outside (its IPs times its non-loopback LISTEN ports). */
export function listeningEndpoints(container: ContainerInfo, table: TcpSocket[]): Endpoint[] {
  const ports = [...new Set(table.filter((s) => s.state === 'LISTEN' && !isLoopback(s.local.ip)).map((s) => s.local.port))];
  return container.ips.flatMap((ip) => ports.map((port) => ({ ip, port })));
}

export interface SwitchResult {
  /** 'observed': proven from the TCP tables; 'timed': the tables could not be read, waited instead. */
  method: 'observed' | 'timed';
  seconds: number;
  proxies: ProxyState[];
}

export class SwitchNotProven extends Error {
  constructor(
    message: string,
    readonly proxies: ProxyState[],
  ) {
    super(message);
  }
}

/**
 * Waits (bounded) until every proxy of the service is seen using the new containers (any of them:
 * a proxy that reached one has looked the name up again). `containers` are the project's running
 * containers (proxies included), `old` and `fresh` the service's.
 */
export async function proveSwitch(opts: {
  containers: ContainerInfo[];
  proxyNames: string[];
  old: ContainerInfo[];
  fresh: ContainerInfo[];
  timeoutSeconds: number;
  refreshMs?: number;
}): Promise<SwitchResult> {
  const started = performance.now();
  const tables = () => opts.containers.map((c) => readTable(c.pid)).filter((t): t is TcpSocket[] => Boolean(t));
  const freshTables = opts.fresh.map((c) => readTable(c.pid));
  const oldTables = opts.old.map((c) => readTable(c.pid));
  if (freshTables.some((t) => !t) || oldTables.some((t) => !t)) {
    // Without the tables nothing can be observed; the resolver bound is the best left.
    await sleep(opts.refreshMs ?? RESOLVER_REFRESH_MS);
    return { method: 'timed', seconds: (performance.now() - started) / 1000, proxies: [] };
  }
  const oldEndpoints = opts.old.flatMap((c, i) => listeningEndpoints(c, oldTables[i] ?? []));
  const newEndpoints = opts.fresh.flatMap((c, i) => listeningEndpoints(c, freshTables[i] ?? []));
  const proxies = opts.containers.filter((c) => opts.proxyNames.includes(c.service)).map((c) => ({ name: c.name, ips: c.ips }));
  const baseline = new Set(connectionsTo(tables(), oldEndpoints).map(connectionKey));
  const seen = new Map<string, Connection>();
  const deadline = started + opts.timeoutSeconds * 1000;
  for (;;) {
    for (const c of connectionsTo(tables(), [...oldEndpoints, ...newEndpoints])) seen.set(connectionKey(c), c);
    const verdict = switchVerdict({
      proxies,
      baseline,
      seen: [...seen.values()],
      oldEndpoints,
      newEndpoints,
      elapsedMs: performance.now() - started,
      refreshMs: opts.refreshMs,
    });
    if (verdict.proven) return { method: 'observed', seconds: (performance.now() - started) / 1000, proxies: verdict.proxies };
    if (performance.now() >= deadline) {
      throw new SwitchNotProven(
        `${verdict.pending.join(', ')} kept sending requests to the old container and none to the new one for ${opts.timeoutSeconds}s (does it re-resolve the service name?)`,
        verdict.proxies,
      );
    }
    await sleep(100);
  }
}

/** In-flight requests of the old containers right now (established connections from other hosts). */
export function inFlightNow(old: ContainerInfo[]): number | undefined {
  let total = 0;
  for (const c of old) {
    const table = readTable(c.pid);
    if (!table) return undefined;
    const endpoints = listeningEndpoints(c, table);
    total += inFlight(connectionsTo([table], endpoints));
  }
  return total;
}
