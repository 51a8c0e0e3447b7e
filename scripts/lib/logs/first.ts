// The log store starts before every other service (label galaxy.role: logs): a line sent over UDP
// before it listens is lost (docs/LOGS.md). Not depends_on: a recreate deploy (up --no-deps) of a
// service that has one makes the next start recreate it again.
import { type ComposeContext, type ComposeModel, composeInputsKey, loadComposeModel } from '../compose.ts';
import { compose } from '../docker/client.ts';
import { imagesByName } from '../docker/images.ts';
import type { WatchedContainer } from '../docker/watch.ts';

export const LOG_STORE_ROLE = 'logs';

/** The services that receive the others' log lines. */
export function logStores(model: ComposeModel): string[] {
  return model.services.filter((s) => s.labels['galaxy.role'] === LOG_STORE_ROLE).map((s) => s.name);
}

/** What an early start did: compose started the stores from the inputs under this key (compose.ts). */
export interface EarlyStart {
  inputsKey: string;
}

/**
 * Starts the log store with the context of the last start (same mode and target), while make start
 * still resolves images and checks builds: its container start then overlaps that second instead
 * of following it. Make start asks compose again once the context is final unless earlyStartHolds
 * says compose would change nothing. A failure here is left to that step.
 */
export async function startLogStoreEarly(last: ComposeContext): Promise<EarlyStart | undefined> {
  // Read before compose reads them: inputs changed meanwhile make the final key differ, never match.
  const inputsKey = composeInputsKey(last);
  const stores = logStores(await loadComposeModel(last));
  if (!stores.length) return undefined;
  // Never a build or a pull here: a missing or outdated image is make start's own next step.
  const up = await compose(last, ['up', '--detach', '--no-build', '--pull', 'never', ...stores], { timeout: '120s' }).nothrow();
  return up.exitCode === 0 && inputsKey !== undefined ? { inputsKey } : undefined;
}

/**
 * Whether the stores the early start brought up stand as the final context wants them, so that a
 * second `compose up` of them (half a second of compose on every start) would change nothing: the
 * same compose inputs, and each store running the image its tag names now (nothing rebuilt or
 * pulled under it since).
 */
export async function earlyStartHolds(
  early: EarlyStart | undefined,
  ctx: ComposeContext,
  model: ComposeModel,
  containers: WatchedContainer[],
): Promise<boolean> {
  const stores = model.services.filter((s) => logStores(model).includes(s.name));
  // A store without an image name is built under a name compose picks: not checked, asked again.
  if (!early || stores.some((s) => !s.image)) return false;
  const images = await imagesByName(stores.map((s) => String(s.image)));
  return storesStand(
    early,
    composeInputsKey(ctx),
    stores.map((s, i) => ({ service: s.name, imageId: images[i]?.Id })),
    containers,
  );
}

/** Pure: earlyStartHolds' verdict from the final inputs' key, each store's current image id and the containers. */
export function storesStand(
  early: EarlyStart,
  finalKey: string | undefined,
  stores: Array<{ service: string; imageId?: string }>,
  containers: Array<Pick<WatchedContainer, 'service' | 'status' | 'imageId'>>,
): boolean {
  if (finalKey !== early.inputsKey) return false;
  return stores.every((store) => {
    const running = containers.filter((c) => c.service === store.service && c.status === 'running');
    return store.imageId !== undefined && running.length === 1 && running[0].imageId === store.imageId;
  });
}
