// The cluster's image registry: a container on the manager, published on 127.0.0.1 (this host
// pushes there; Docker trusts a loopback registry without TLS) and on the cluster network's
// gateway (each node forwards its own 127.0.0.1 to it, images/offline/cluster-node), never on
// another address: it has no authentication.
import { containersLabelled, pushImage, removeContainer, removeVolume, runDetached } from '../docker/swarm.ts';
import { OperationError } from '../errors.ts';
import { httpGet } from '../http-get.ts';

export const DEFAULT_REGISTRY_PORT = 5000;

export function registryNames(project: string) {
  return { container: `${project}-registry`, volume: `${project}-registry-data` };
}

/** Where the cluster's own registry is reached, from this host and (forwarded) from every node. */
export const localRegistry = (port: number) => `127.0.0.1:${port}`;

/** The name an image has in a registry (`registry`: host[:port][/path]): the same on every node. */
export function registryReference(image: string, registry: string): string {
  return `${registry}/${image.includes(':') ? image : `${image}:latest`}`;
}

async function answers(port: number): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const status = await httpGet(`http://127.0.0.1:${port}/v2/`, { timeoutMs: 2000 }).catch(() => 0);
    if (status === 200) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

export async function ensureRegistry(project: string, gateway: string, port: number, image: string): Promise<void> {
  const names = registryNames(project);
  if (!(await containersLabelled(`galaxy.registry=${project}`)).includes(names.container))
    await runDetached({
      name: names.container,
      image,
      publish: [`127.0.0.1:${port}:5000`, `${gateway}:${port}:5000`],
      volumes: [`${names.volume}:/var/lib/registry`],
      labels: { 'galaxy.cluster': project, 'galaxy.registry': project },
    });
  if (!(await answers(port)))
    throw new OperationError(`the cluster's registry ${names.container} does not answer on 127.0.0.1:${port}: docker logs ${names.container} shows why`);
}

export async function removeRegistry(project: string): Promise<void> {
  const names = registryNames(project);
  await removeContainer(names.container);
  await removeVolume(names.volume);
}

/** Pushes each image to the registry; returns the digest reference of each. */
export async function pushToRegistry(images: string[], registry: string): Promise<Record<string, string>> {
  const pinned: Record<string, string> = {};
  for (const image of images) pinned[image] = await pushImage(image, registryReference(image, registry));
  return pinned;
}
