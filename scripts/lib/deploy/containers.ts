// The waits a rolling replacement needs, on Docker's view of a container (docker/containers.ts:
// inspect and the one readiness rule).
import { EngineSlow } from '../docker/client.ts';
import { type ContainerInfo, inspectContainers, inspectOne, readiness } from '../docker/containers.ts';

/** The outcome of waiting for one container: seconds until ready, or why it will not be. */
export type ReadyOutcome = { seconds: number } | { error: string };

/**
 * Waits for several containers at once with one inspect of them all a round (one each only when one
 * of them went away between rounds, both through docker/containers.ts): polling each on its own made
 * a wave of N new containers N engine calls every half second on a machine that is starting them all.
 */
export async function waitAllReady(ids: string[], timeoutSeconds: number): Promise<Map<string, ReadyOutcome>> {
  const started = performance.now();
  const deadline = started + timeoutSeconds * 1000;
  const outcome = new Map<string, ReadyOutcome>();
  const pending = () => ids.filter((id) => !outcome.has(id));
  while (pending().length && performance.now() < deadline) {
    let seen: Array<ContainerInfo | undefined>;
    try {
      const together = await inspectContainers(pending());
      seen = together ?? (await Promise.all(pending().map((id) => inspectOne(id))));
    } catch (err) {
      if (!(err instanceof EngineSlow)) throw err;
      continue; // no answer is not an answer: ask again until the deadline
    }
    for (const id of pending()) {
      const { verdict, reason } = readiness(seen.find((c) => c?.id === id));
      if (verdict === 'ready') outcome.set(id, { seconds: (performance.now() - started) / 1000 });
      if (verdict === 'failed') outcome.set(id, { error: reason ?? 'the new container failed' });
    }
    if (pending().length) await sleep(500);
  }
  for (const id of pending()) outcome.set(id, { error: `the new container was not healthy within ${timeoutSeconds}s` });
  return outcome;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
