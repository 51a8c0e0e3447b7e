// The waits a rolling replacement needs, on Docker's view of a container (docker/containers.ts:
// inspect and the one readiness rule).
import { EngineSlow } from '../docker/client.ts';
import { type ContainerInfo, inspectOne, readiness } from '../docker/containers.ts';
import { OperationError } from '../errors.ts';

/** Polls until the container is ready; throws with the reason when it fails or time runs out. */
export async function waitReady(id: string, timeoutSeconds: number): Promise<number> {
  const started = performance.now();
  const deadline = started + timeoutSeconds * 1000;
  while (performance.now() < deadline) {
    let info: ContainerInfo | undefined;
    try {
      info = await inspectOne(id);
    } catch (err) {
      if (!(err instanceof EngineSlow)) throw err;
      continue; // no answer is not an answer: ask again until the deadline
    }
    const { verdict, reason } = readiness(info);
    if (verdict === 'ready') return (performance.now() - started) / 1000;
    if (verdict === 'failed') throw new OperationError(reason ?? 'the new container failed');
    await sleep(500);
  }
  throw new OperationError(`the new container was not healthy within ${timeoutSeconds}s`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
