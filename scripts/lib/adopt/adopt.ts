// `make adopt`: scan the codebase, plan, print the plan, and (unless --dry-run) write the files.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { ADOPTED_FILE } from '../docker/client.ts';
import { scan } from '../discovery/inventory.ts';
import { readBaseSystem } from './base-system.ts';
import { frontConfPath, renderComposeFile } from './compose-file.ts';
import { FRONT_NAME, planFront, renderFrontConf } from './front.ts';
import { planAdoption } from './plan.ts';
import { renderDockerfile, renderDockerignore, renderEntrypoint, renderNginxConf } from './render.ts';
import type { AdoptPlan, SourceTree } from './types.ts';
import { GuardedWriter, addToEnv } from './write.ts';

export interface AdoptOptions {
  src: string;
  only: string[];
  dryRun: boolean;
  imageMode: 'offline' | 'registry';
  projectRoot: string;
  kitRoot: string;
  envFile: string;
}

/** The codebase as the plan reads it: files relative to its root, read only. */
export function sourceTree(root: string): SourceTree {
  const inside = (rel: string) => {
    const abs = path.resolve(root, rel);
    return abs === root || abs.startsWith(`${root}${path.sep}`) ? abs : undefined;
  };
  return {
    read: (rel) => {
      const abs = inside(rel);
      try {
        return abs ? readFileSync(abs, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
    list: (dir) => {
      const abs = inside(dir);
      try {
        return abs ? readdirSync(abs) : [];
      } catch {
        return [];
      }
    },
  };
}

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
const readEnv = (file: string) => parse(readIfExists(file) ?? '');

/** Host ports the kit and the system already use (its .env.example defaults and .env), by variable. */
function takenPorts(values: Array<Record<string, string>>, adoptedVars: Set<string>): Map<number, string> {
  const taken = new Map<number, string>();
  for (const env of values)
    for (const [name, value] of Object.entries(env))
      if (/_PORT$/.test(name) && !adoptedVars.has(name) && /^\d+$/.test(value) && !taken.has(Number(value))) taken.set(Number(value), name);
  return taken;
}

export function makePlan(opts: AdoptOptions): AdoptPlan {
  const src = path.resolve(opts.src);
  const inventory = scan(src, { label: src });
  const existing = { ...readEnv(path.join(opts.projectRoot, '.env.example')), ...readEnv(opts.envFile) };
  const adoptedBefore = new Set(Object.keys(existing).filter((k) => /_PORT$/.test(k) && isAdoptedVar(opts.projectRoot, k)));
  const taken = takenPorts([readEnv(path.join(opts.kitRoot, '.env.example')), existing], adoptedBefore);
  return planAdoption(inventory, sourceTree(src), { only: opts.only, imageMode: opts.imageMode, existing, taken });
}

/** A variable of the adopted block of .env.example (a re-run keeps its port, and it is not "the kit's"). */
function isAdoptedVar(projectRoot: string, name: string): boolean {
  const text = existsSync(path.join(projectRoot, '.env.example')) ? readFileSync(path.join(projectRoot, '.env.example'), 'utf8') : '';
  const start = text.indexOf('# --- adopted services');
  return start >= 0 && new RegExp(`^${name}=`, 'm').test(text.slice(start));
}

/** Writes every file of the plan; returns what happened to each and the .env names added. */
export function writePlan(plan: AdoptPlan, opts: AdoptOptions): { writer: GuardedWriter; envAdded: string[] } {
  const writer = new GuardedWriter(opts.projectRoot);
  for (const s of plan.services) {
    if (s.image === 'dockerfile') continue;
    const dir = path.join(opts.projectRoot, 'services', s.name);
    writer.write(path.join(dir, 'Dockerfile'), renderDockerfile(s));
    // BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile: the context is the user's folder, which adopt never writes to.
    writer.write(path.join(dir, 'Dockerfile.dockerignore'), renderDockerignore(s));
    if (s.forward) writer.write(path.join(dir, 'entrypoint.sh'), renderEntrypoint(s), 0o755);
    if (s.image === 'static') writer.write(path.join(dir, 'nginx.conf'), renderNginxConf(s));
  }
  const front = planFront(plan.services);
  if (front.length) writer.write(frontConfPath(opts.projectRoot), renderFrontConf(front));
  const compose = renderComposeFile(plan.services, {
    projectRoot: opts.projectRoot,
    src: path.resolve(opts.src),
    probe: path.join(opts.kitRoot, 'services', 'probe'),
    base: readBaseSystem(readIfExists(path.join(opts.projectRoot, 'docker-compose.yml'))),
  });
  writer.write(path.join(opts.projectRoot, ADOPTED_FILE), compose);
  // The example keeps the port it has (a test's or an operator's .env may hold another).
  const example = readEnv(path.join(opts.projectRoot, '.env.example'));
  const ports = plan.services.flatMap((s) => (s.port ? [{ name: s.port.hostVar, value: example[s.port.hostVar] ?? String(s.port.host) }] : []));
  writer.writeEnvBlock(
    path.join(opts.projectRoot, '.env.example'),
    plan.services.flatMap((s) => s.envExample),
    ports,
  );
  writer.save();
  return { writer, envAdded: addToEnv(opts.envFile, plan.services) };
}

/** The table the command ends with: one row per service. */
export function planRows(plan: AdoptPlan): string[][] {
  const rows = [['SERVICE', 'FROM', 'IMAGE', 'PORT', 'HEALTH', 'STATE', 'DEPENDS ON']];
  const front = new Set(planFront(plan.services).map((r) => r.service));
  for (const s of plan.services) {
    const image = s.image === 'dockerfile' ? `${s.dockerfile} (as it is)` : `${s.image}${s.install.manager !== 'none' ? ` + ${s.install.manager}` : ''}`;
    const port = s.port ? `127.0.0.1:${s.port.host} -> ${front.has(s.name) ? `${FRONT_NAME} -> ` : ''}${s.port.container}` : 'none';
    const health = s.health.kind === 'http' ? `HTTP ${s.health.path}` : s.health.kind === 'tcp' ? 'TCP (no HTTP route found)' : 'none (running = healthy)';
    const state = s.volumes.length ? s.volumes.map((v) => `${v.name}:${v.target}`).join(', ') : 'stateless';
    rows.push([s.name, s.labels['galaxy.adopted.from'], image, port, health, state, s.dependsOn.join(', ') || '-']);
  }
  return rows;
}
