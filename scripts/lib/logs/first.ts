// The log store starts before every other service (label galaxy.role: logs): a line sent over UDP
// before it listens is lost (docs/LOGS.md). Not depends_on: a recreate deploy (up --no-deps) of a
// service that has one makes the next start recreate it again.
import { type ComposeContext, type ComposeModel, loadComposeModel } from '../compose.ts';
import { compose } from '../docker/client.ts';

export const LOG_STORE_ROLE = 'logs';

/** The services that receive the others' log lines. */
export function logStores(model: ComposeModel): string[] {
  return model.services.filter((s) => s.labels['galaxy.role'] === LOG_STORE_ROLE).map((s) => s.name);
}

/**
 * Starts the log store with the context of the last start (same mode and target), while make start
 * still resolves images and checks builds: its container start then overlaps that second instead
 * of following it. Make start asks compose again once the context is final, and compose recreates
 * it only if something changed, before any other service starts. A failure here is left to that step.
 */
export async function startLogStoreEarly(last: ComposeContext): Promise<void> {
  const stores = logStores(await loadComposeModel(last));
  // Never a build or a pull here: a missing or outdated image is make start's own next step.
  if (stores.length) await compose(last, ['up', '--detach', '--no-build', '--pull', 'never', ...stores], { timeout: '120s' }).nothrow();
}
