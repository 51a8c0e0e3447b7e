// Discovery rows and inventories for unit tests of what reads an inventory (the adopt plan, the score): pure, no disk, no Docker.
import type { SourceTree } from '../../scripts/lib/adopt/types.ts';
import { blankService } from '../../scripts/lib/discovery/assemble.ts';
import type { Inventory, Service } from '../../scripts/lib/discovery/types.ts';

export const row = (over: Partial<Service>): Service =>
  blankService({ name: 'svc', kind: 'server', language: 'node', entry: 'svc/index.js', dir: 'svc', reason: '', ...over });

export function inventory(services: Service[], extra: Partial<Inventory> = {}): Inventory {
  return {
    version: 2,
    generatedAt: '',
    root: '.',
    method: '',
    probed: false,
    services,
    dependencies: [],
    datastores: [],
    externalApis: [],
    problems: [],
    copies: [],
    stats: { files: 0, read: 0, skipped: [], ms: 0 },
    ...extra,
  };
}

export function tree(files: Record<string, string>): SourceTree {
  return {
    read: (rel) => files[rel],
    list: (dir) =>
      Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/'))
        .map((f) => f.slice(dir.length + 1)),
  };
}

/** A Python service in a folder of its name, its one file app.py. */
export const pyRow = (name: string, listens: number, env: string[]) =>
  row({ name, dir: name, language: 'python', entry: `${name}/app.py`, files: [`${name}/app.py`], ports: [port(listens)], env });

export const opts = { only: [], imageMode: 'offline' as const, existing: {}, taken: new Map<number, string>() };
export const port = (n: number, env?: string) => ({ port: n, source: 'env' as const, env, file: 'x', line: 1 });
/** A base system with no log store and no monitoring (adopt's own network only, Docker's own logs). */
export const NO_BASE = { monitoringNetworks: [] };
