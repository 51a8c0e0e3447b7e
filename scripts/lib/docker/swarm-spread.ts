// The Docker calls of make rebalance (scripts/lib/swarm/rebalance.ts): where a service may run,
// and the replacement of its tasks that lets Swarm place them again.
import { must } from './swarm.ts';
import { waitForUpdate } from './swarm-stack.ts';

export interface ServicePlacement {
  /** The swarm service's name (`<stack>_<service>`). */
  name: string;
  /** Desired replicas; undefined for a global service (one task per node: nothing to spread). */
  replicas?: number;
  /** Its placement constraints as Swarm keeps them (`node.role == manager`). */
  constraints: string[];
}

/** Mode, replicas and placement constraints of services, read from their specs in one inspect. */
export async function servicePlacements(services: string[]): Promise<ServicePlacement[]> {
  if (services.length === 0) return [];
  const out = await must(['service', 'inspect', ...services, '--format', '{{json .Spec}}'], 'docker service inspect', '30s');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const spec = JSON.parse(line) as {
        Name: string;
        Mode?: { Replicated?: { Replicas?: number } };
        TaskTemplate?: { Placement?: { Constraints?: string[] } };
      };
      return { name: spec.Name, replicas: spec.Mode?.Replicated?.Replicas, constraints: spec.TaskTemplate?.Placement?.Constraints ?? [] };
    });
}

/**
 * Every task of a service replaced stop-first, whatever its own update order, then that order put
 * back (a change of the update settings alone replaces no task). Stop-first is what lets Swarm
 * spread the tasks again (make rebalance): a task that is stopping no longer counts on its node,
 * so its successor goes to the node with the fewest; start-first still counts the old task there,
 * and in a tie the scheduler prefers the node with fewer tasks of any service, which left the
 * manager empty on a 3-node try. Waits as waitForUpdate.
 */
export async function replaceTasksStopFirst(service: string, timeoutSeconds: number): Promise<void> {
  const order = await must(['service', 'inspect', service, '--format', '{{.Spec.UpdateConfig.Order}}'], 'docker service inspect', '30s');
  const since = new Date();
  await must(['service', 'update', '--force', '--detach', '--quiet', '--update-order', 'stop-first', service], `the rolling replacement of ${service}`);
  const waited = await waitForUpdate(service, since, timeoutSeconds).then(
    () => undefined,
    (err: unknown) => ({ err }),
  );
  if (order && order !== 'stop-first') {
    const restore = must(['service', 'update', '--detach', '--quiet', '--update-order', order, service], `putting back the update order of ${service}`);
    // After a failed update the first error is the one to report (a rollback put the order back already).
    if (waited) await restore.catch(() => undefined);
    else await restore;
  }
  if (waited) throw waited.err;
}
