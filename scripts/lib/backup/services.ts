// The services as a backup sees them: compose.ts's model (names, labels, dependencies) plus the two
// facts only a backup needs, each service's named volumes and the names of its own environment a
// store kind reads (a database's user and name come from there, never from fixed .env names;
// passwords are read inside the container). Read from the same single
// resolved compose config (docker compose config --format json) that compose.ts parses, so there
// is no second list.
import { COMPOSE_PARSERS, type ComposeContext, type ServiceModel, parseComposeConfig, readComposeConfig } from '../compose.ts';
import { cachedComposeModel } from '../compose-cache.ts';

export interface NamedVolume {
  /** The volume's key in the compose file (postgres-data), as people know it. */
  name: string;
  /** Where the service mounts it. */
  target: string;
}

export interface BackupService extends ServiceModel {
  volumes: NamedVolume[];
  environment: Record<string, string>;
}

/** compose.ts's ComposeModel with the backup's view of each service (usable wherever that is). */
export interface BackupModel {
  project: string;
  services: BackupService[];
}

interface RawService {
  volumes?: Array<{ type?: string; source?: string; target?: string }>;
  /** `config` prints it as a map, with .env values already filled in; null = declared without one. */
  environment?: Record<string, string | null>;
}

/** Pure: compose's JSON to the backup's view of every service, in compose.ts's order; of the environment only the names in `keep`. */
export function parseBackupModel(json: string, keep: readonly string[]): BackupModel {
  const raw = JSON.parse(json) as { services?: Record<string, RawService> };
  const model = parseComposeConfig(json);
  const services = model.services.map((service) => {
    const own = raw.services?.[service.name] ?? {};
    const volumes = (own.volumes ?? [])
      .filter((v) => v.type === 'volume' && v.source && v.target)
      .map((v) => ({ name: v.source as string, target: v.target as string }));
    const environment = Object.fromEntries(
      Object.entries(own.environment ?? {})
        .filter(([k]) => keep.includes(k))
        .map(([k, v]) => [k, v ?? '']),
    );
    return { ...service, volumes, environment };
  });
  return { project: model.project, services };
}

/**
 * The backup's model, from the compose model cache when its inputs did not change: `compose config`
 * costs a second or more on a busy machine, all of it before the first dump can start. `keep`: the
 * environment names the store kinds read; the rest (passwords among it) never reaches the cache.
 */
export async function loadBackupModel(ctx: ComposeContext, keep: readonly string[]): Promise<BackupModel> {
  return cachedComposeModel(ctx, [parseBackupModel, ...COMPOSE_PARSERS, keep.join(',')], async () => parseBackupModel(await readComposeConfig(ctx), keep));
}
