// The containers a start watches, read once a second while `compose up --wait` runs: over the
// engine's socket when the CLI uses it, else through compose ps and one inspect (containers.ts).
import type { ComposeContext } from './client.ts';
import { type ContainerState, inspectContainers, listContainers } from './containers.ts';
import { inspectProjectOverSocket } from './engine-api.ts';

/** A row of `compose ps` with inspect's restart count and start time: what a start watches. */
export interface WatchedContainer extends ContainerState {
  /** undefined when inspect did not answer for it. */
  restarts?: number;
  startedAt?: string;
  /** The id of the image it runs (sha256:…). */
  imageId?: string;
}

interface RawState {
  Id: string;
  Name: string;
  Image?: string;
  RestartCount: number;
  Config: { Labels?: Record<string, string> | null };
  State: { Status: string; ExitCode: number; StartedAt: string; Health?: { Status: string } };
  NetworkSettings?: { Ports?: Record<string, Array<{ HostPort?: string }> | null> | null };
}

/** Pure: inspect documents as compose ps rows (service label, state, health, exit code, published ports). */
export function parseWatched(json: string): WatchedContainer[] {
  return (JSON.parse(json) as RawState[]).map((c) => ({
    id: c.Id,
    service: c.Config.Labels?.['com.docker.compose.service'] ?? '',
    name: c.Name.replace(/^\//, ''),
    status: c.State.Status,
    health: c.State.Health?.Status ?? '',
    exitCode: c.State.ExitCode,
    publishedPorts: [
      ...new Set(
        Object.values(c.NetworkSettings?.Ports ?? {})
          .flatMap((bindings) => bindings ?? [])
          .map((b) => Number(b.HostPort))
          .filter((p) => p > 0),
      ),
    ],
    restarts: c.RestartCount,
    startedAt: c.State.StartedAt,
    imageId: c.Image,
  }));
}

/**
 * The project's containers with restart counts, polled every second while `make start` waits:
 * over the engine's socket when the CLI uses it (milliseconds), else `compose ps` plus one
 * `docker inspect`. Each compose start is half a second of CPU, taken from the services that are
 * starting on a 2-core machine.
 */
export async function watchContainers(ctx: ComposeContext, project: string): Promise<WatchedContainer[]> {
  const fast = await inspectProjectOverSocket(project).catch(() => undefined);
  if (fast !== undefined) return parseWatched(fast);
  const rows = await listContainers(ctx);
  // compose ps may print short ids; inspect's are full. A container gone between the calls makes
  // inspect fail: that poll then judges by status alone (no restarts, no start time).
  const infos = rows.length
    ? await inspectContainers(
        rows.map((r) => r.id),
        '20s',
      ).catch(() => undefined)
    : [];
  return rows.map((r) => {
    const info = infos?.find((i) => i.id.startsWith(r.id));
    return { ...r, restarts: info?.restarts, startedAt: info?.startedAt };
  });
}
