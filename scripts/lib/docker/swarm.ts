// Swarm through the one Docker client: this engine's swarm membership, nodes, stacks and services,
// the cluster's node containers (Docker in Docker) and pushes to the cluster's registry.
import type { Duration } from 'zx/core';
import { OperationError, lastLine } from '../errors.ts';
import { docker } from './client.ts';

export interface SwarmMembership {
  /** inactive, pending, active, error, locked */
  state: string;
  manager: boolean;
  /** The address other nodes reach this one at (empty when not in a swarm). */
  address: string;
}

export async function swarmMembership(): Promise<SwarmMembership> {
  const out = await docker(['info', '--format', '{{json .Swarm}}'], '30s');
  const swarm = JSON.parse(out.stdout || '{}') as { LocalNodeState?: string; ControlAvailable?: boolean; NodeAddr?: string };
  return { state: swarm.LocalNodeState ?? 'inactive', manager: swarm.ControlAvailable === true, address: swarm.NodeAddr ?? '' };
}

/** Fails with Docker's own last line, which names the cause (address in use, not a manager ...). */
export async function must(args: string[], what: string, timeout: Duration = '120s'): Promise<string> {
  const out = await docker(args, timeout).nothrow();
  // The CLI ends a refused `run` with a hint line ("Run 'docker run --help'"): the cause is above it.
  const cause = lastLine(out.stderr.replace(/\n*Run 'docker [^\n]*--help'[^\n]*\n*$/, ''), 'no output');
  if (out.exitCode !== 0) throw new OperationError(`${what} failed: ${cause}`);
  return out.stdout.trim();
}

export const initSwarm = (address: string) => must(['swarm', 'init', '--advertise-addr', address], 'docker swarm init');
export const leaveSwarm = () => must(['swarm', 'leave', '--force'], 'docker swarm leave');
export const workerJoinToken = () => must(['swarm', 'join-token', '--quiet', 'worker'], 'docker swarm join-token');

export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** ready, down, unknown */
  status: string;
  availability: string;
  address: string;
  labels: Record<string, string>;
}

export async function swarmNodes(): Promise<SwarmNode[]> {
  const ids = (await must(['node', 'ls', '--quiet'], 'docker node ls')).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const nodes = JSON.parse(await must(['node', 'inspect', ...ids], 'docker node inspect')) as Array<{
    ID: string;
    Description?: { Hostname?: string };
    Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> };
    Status?: { State?: string; Addr?: string };
  }>;
  return nodes.map((n) => ({
    id: n.ID,
    hostname: n.Description?.Hostname ?? '',
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    status: n.Status?.State ?? 'unknown',
    availability: n.Spec?.Availability ?? '',
    address: n.Status?.Addr ?? '',
    labels: n.Spec?.Labels ?? {},
  }));
}

export const labelNode = (id: string, labels: Record<string, string>) =>
  must(['node', 'update', ...Object.entries(labels).flatMap(([k, v]) => ['--label-add', `${k}=${v}`]), id], 'docker node update');
export const removeNode = (id: string) => must(['node', 'rm', '--force', id], 'docker node rm');

/** A bridge network's gateway: this host's address on it, created first when missing. */
export async function bridgeGateway(network: string): Promise<string> {
  let out = await docker(['network', 'inspect', network, '--format', '{{(index .IPAM.Config 0).Gateway}}']).nothrow();
  if (out.exitCode !== 0) {
    await must(['network', 'create', '--driver', 'bridge', network], `creating network ${network}`);
    out = await docker(['network', 'inspect', network, '--format', '{{(index .IPAM.Config 0).Gateway}}']);
  }
  const gateway = out.stdout.trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) throw new OperationError(`network ${network} has no IPv4 gateway (got '${gateway}')`);
  return gateway;
}

export const removeNetwork = (network: string) => docker(['network', 'rm', network]).nothrow();

export interface RunSpec {
  name: string;
  image: string;
  network?: string;
  privileged?: boolean;
  hostname?: string;
  env?: Record<string, string>;
  /** host:container port bindings, e.g. 127.0.0.1:5000:5000 */
  publish?: string[];
  volumes?: string[];
  labels?: Record<string, string>;
}

/** `docker run -d` with a restart policy, so the cluster's parts come back with the engine. */
export function runDetached(spec: RunSpec) {
  const args = ['run', '--detach', '--restart', 'unless-stopped', '--name', spec.name];
  if (spec.hostname) args.push('--hostname', spec.hostname);
  if (spec.network) args.push('--network', spec.network);
  if (spec.privileged) args.push('--privileged');
  for (const [k, v] of Object.entries(spec.env ?? {})) args.push('--env', `${k}=${v}`);
  for (const p of spec.publish ?? []) args.push('--publish', p);
  for (const v of spec.volumes ?? []) args.push('--volume', v);
  for (const [k, v] of Object.entries(spec.labels ?? {})) args.push('--label', `${k}=${v}`);
  return must([...args, spec.image], `starting ${spec.name}`);
}

/** Names of containers (running or not) with a label. */
export async function containersLabelled(label: string): Promise<string[]> {
  const out = await must(['ps', '--all', '--filter', `label=${label}`, '--format', '{{.Names}}'], 'docker ps');
  return out.split('\n').filter(Boolean).sort();
}

export const removeContainer = (name: string) => docker(['rm', '--force', '--volumes', name], '120s').nothrow();
export const removeVolume = (name: string) => docker(['volume', 'rm', name]).nothrow();

/** `docker exec NAME docker ARGS`: a node container's own engine. */
export function nodeDocker(node: string, args: string[], timeout: Duration = '60s') {
  return docker(['exec', node, 'docker', ...args], timeout).nothrow();
}

/** Tags `image` as `target`, pushes it, and returns its `repo@sha256:…` reference. */
export async function pushImage(image: string, target: string): Promise<string> {
  await must(['tag', image, target], `tagging ${image}`);
  await must(['push', '--quiet', target], `pushing ${target}`, '15m');
  const digests = JSON.parse(await must(['image', 'inspect', target, '--format', '{{json .RepoDigests}}'], `inspecting ${target}`)) as string[];
  const repo = target.replace(/:[^:/]+$/, '');
  const pinned = digests.find((d) => d.startsWith(`${repo}@`));
  if (!pinned) throw new OperationError(`${target} was pushed but has no digest from the registry`);
  return pinned;
}
