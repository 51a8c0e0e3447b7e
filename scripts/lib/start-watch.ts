// Pure: while `compose up --wait` runs, whether a service has already failed. Compose's own wait
// ends only at its timeout or when a dependency fails, so a service that exits or crash-loops
// during a start kept `make start` waiting the full 300 s; this reads successive snapshots of the
// project's containers and says at once which service broke (wait.ts polls and acts on it).

/** One container as one poll saw it: compose ps (status, exit code) plus inspect (restarts, start time). */
export interface SeenContainer {
  id: string;
  service: string;
  status: string;
  exitCode: number;
  /** Docker's RestartCount (restarts by the restart policy); undefined when inspect did not answer. */
  restarts?: number;
  /** State.StartedAt; Docker's zero time for a container never started. */
  startedAt?: string;
}

export interface StartSnapshot {
  /** When the poll was taken (ms since the epoch). */
  at: number;
  containers: SeenContainer[];
}

export interface StartRules {
  /** When this start began (ms since the epoch): containers last started before it are not judged. */
  since: number;
  /** The services being started, dependencies first: the first failing one is the one named. */
  services: string[];
  /** One-shot jobs (`service_completed_successfully`): their exit 0 is success. */
  completes: string[];
  /** Restarts since the first sighting that mean crash-looping. */
  maxRestarts: number;
}

export type StartVerdict = { verdict: 'waiting' } | { verdict: 'failed'; service: string; reason: string };

/** Restarts that fail a start: one crash may be a dependency blinking, three in a row are a loop. */
export const START_MAX_RESTARTS = 3;

/**
 * The verdict for the newest snapshot of `history` (oldest first). A service fails when one of its
 * containers, started during this start, has stayed exited or dead across two polls (one poll
 * alone may fall between the stop and the start of a restart by Docker) with a non-zero code, or
 * with 0 when it is not a one-shot job; or when its restart count rose by `maxRestarts` since it
 * was first seen.
 * Containers started before this start (a recreated container's old copy, a stopped one compose is
 * about to start again) are not judged by their exit.
 */
export function judgeStart(history: StartSnapshot[], rules: StartRules): StartVerdict {
  const last = history.at(-1);
  if (!last) return { verdict: 'waiting' };
  const previous = history.at(-2);
  const fewestRestarts = new Map<string, number>();
  for (const snap of history)
    for (const c of snap.containers) if (c.restarts !== undefined) fewestRestarts.set(c.id, Math.min(c.restarts, fewestRestarts.get(c.id) ?? c.restarts));

  for (const service of rules.services) {
    for (const c of last.containers.filter((row) => row.service === service)) {
      // Docker resets the count on a manual restart, so count from the fewest seen, never below zero.
      const restarted = c.restarts === undefined ? 0 : c.restarts - (fewestRestarts.get(c.id) ?? c.restarts);
      if (restarted >= rules.maxRestarts) return { verdict: 'failed', service, reason: `keeps restarting (${restarted} restarts since the start began)` };
      if (!isEnded(c) || !startedSince(c, rules.since)) continue;
      const before = previous?.containers.find((row) => row.id === c.id);
      if (!before || !isEnded(before) || before.startedAt !== c.startedAt) continue;
      if (c.exitCode === 0 && rules.completes.includes(service)) continue;
      return { verdict: 'failed', service, reason: `${c.status === 'dead' ? 'died' : 'exited'} with code ${c.exitCode}` };
    }
  }
  return { verdict: 'waiting' };
}

function isEnded(c: SeenContainer): boolean {
  return c.status === 'exited' || c.status === 'dead';
}

function startedSince(c: SeenContainer, since: number): boolean {
  const at = c.startedAt ? Date.parse(c.startedAt) : NaN;
  return Number.isFinite(at) && at >= since;
}
