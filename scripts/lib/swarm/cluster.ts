// `make cluster NODES=N` / `make cluster-down`: a real Swarm on this machine for tests and demos.
// This host's engine is the manager; the other nodes are Docker-in-Docker containers on one
// bridge network, whose gateway is the address the manager advertises (docs/SCALING.md).
import {
  type SwarmNode,
  bridgeGateway,
  containersLabelled,
  initSwarm,
  labelNode,
  leaveSwarm,
  nodeDocker,
  removeContainer,
  removeNetwork,
  removeNode,
  runDetached,
  swarmMembership,
  swarmNodes,
  workerJoinToken,
} from '../docker/swarm.ts';
import { OperationError } from '../errors.ts';
import { buildOfflineImages } from '../images/build.ts';
import { loadManifest } from '../images/manifest.ts';
import { info } from '../output.ts';
import { ensureRegistry, registryNames, removeRegistry } from './registry.ts';

/** The label on every container the cluster adds; its value is the project. */
export const CLUSTER_LABEL = 'galaxy.cluster';

export function clusterNames(project: string) {
  return {
    network: `${project}-cluster`,
    /** Node n (2, 3 …; node 1 is this host). */
    node: (n: number) => `${project}-node-${n}`,
  };
}

/** Pure: which node containers to add and which to remove for a cluster of `nodes` (this host counted). */
export function nodePlan(existing: string[], project: string, nodes: number): { add: string[]; remove: string[] } {
  const wanted = Array.from({ length: Math.max(0, nodes - 1) }, (_, i) => clusterNames(project).node(i + 2));
  return { add: wanted.filter((n) => !existing.includes(n)), remove: existing.filter((n) => !wanted.includes(n)) };
}

async function waitForNodeEngine(name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const out = await nodeDocker(name, ['version', '--format', '{{.Server.Version}}'], '10s');
    if (out.exitCode === 0) return;
    if (Date.now() > deadline) throw new OperationError(`the engine in ${name} did not start within 60 s: docker logs ${name} shows why`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function ensureManager(gateway: string): Promise<void> {
  const swarm = await swarmMembership();
  if (swarm.state === 'inactive') {
    await initSwarm(gateway);
    info(`cluster: this engine is a swarm manager now, advertising ${gateway}`);
    return;
  }
  if (!swarm.manager)
    throw new OperationError(`this engine is in a swarm (state ${swarm.state}) but not a manager: 'docker swarm leave' first, then make cluster`);
  if (swarm.address !== gateway)
    throw new OperationError(
      `this engine manages a swarm advertised at ${swarm.address}, not at the cluster network's ${gateway}: make cluster-down (or docker swarm leave --force), then make cluster`,
    );
}

async function addNode(project: string, name: string, gateway: string, registryPort: number, token: string, image: string): Promise<void> {
  await runDetached({
    name,
    hostname: name,
    image,
    network: clusterNames(project).network,
    // An engine inside a container needs the host's devices and cgroups: privileged, as any dind.
    privileged: true,
    env: { REGISTRY_UPSTREAM: `${gateway}:${registryPort}`, REGISTRY_PORT: String(registryPort) },
    labels: { [CLUSTER_LABEL]: project },
  });
  await waitForNodeEngine(name);
  const join = await nodeDocker(name, ['swarm', 'join', '--token', token, `${gateway}:2377`], '120s');
  if (join.exitCode !== 0) throw new OperationError(`${name} could not join the swarm at ${gateway}:2377: ${join.stderr.trim().split('\n').pop()}`);
}

async function dropNode(name: string, nodes: SwarmNode[]): Promise<void> {
  await removeContainer(name);
  const node = nodes.find((n) => n.hostname === name);
  if (node) await removeNode(node.id);
}

export async function upCluster(project: string, nodes: number, registryPort: number): Promise<SwarmNode[]> {
  const manifest = loadManifest();
  await buildOfflineImages(['registry', 'cluster-node'], { quiet: true });
  const names = clusterNames(project);
  const gateway = await bridgeGateway(names.network);
  await ensureManager(gateway);
  await ensureRegistry(project, gateway, registryPort, manifest.images.registry.offline);
  const plan = nodePlan(
    await containersLabelled(`${CLUSTER_LABEL}=${project}`).then((c) => c.filter((n) => n !== registryNames(project).container)),
    project,
    nodes,
  );
  const before = await swarmNodes();
  for (const name of plan.remove) {
    await dropNode(name, before);
    info(`cluster: removed ${name}`);
  }
  const token = await workerJoinToken();
  // One after another: each engine start is a burst of CPU on a 2-core machine.
  for (const name of plan.add) {
    await addNode(project, name, gateway, registryPort, token, manifest.images['cluster-node'].offline);
    info(`cluster: ${name} joined as a worker`);
  }
  const all = await swarmNodes();
  // A node container that was removed by hand leaves a "down" node behind: forget it.
  for (const stale of all.filter((n) => n.status === 'down' && n.hostname.startsWith(`${project}-node-`))) await removeNode(stale.id);
  for (const node of all.filter((n) => n.status !== 'down')) await labelNode(node.id, { [CLUSTER_LABEL]: project });
  return swarmNodes();
}

export async function downCluster(project: string): Promise<string[]> {
  const names = clusterNames(project);
  const nodes = (await swarmMembership()).manager ? await swarmNodes() : [];
  const removed: string[] = [];
  for (const name of await containersLabelled(`${CLUSTER_LABEL}=${project}`)) {
    if (name === registryNames(project).container) continue;
    await dropNode(name, nodes);
    removed.push(name);
  }
  await removeRegistry(project);
  if ((await swarmMembership()).state !== 'inactive') await leaveSwarm();
  await removeNetwork(names.network);
  return removed;
}
