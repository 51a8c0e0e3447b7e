// The compose wrapper. The compose files are the only list of services: everything here is read
// from `docker compose config --format json`, never kept in a second list.
import path from 'node:path';
import { $, type Duration } from 'zx';
import { OperationError, UsageError } from './errors.ts';
import { interactive } from './output.ts';
import { existsSync } from 'node:fs';
import { envFile, projectRoot } from './paths.ts';

export type StackMode = 'default' | 'dev' | 'prod';

export interface ComposeContext {
  mode: StackMode;
  /** Variables handed to compose on top of .env (image overrides, project name in tests). */
  env: Record<string, string>;
  profiles: string[];
}

export interface PublishedPort {
  hostIp: string;
  published: number;
  target: number;
}

export interface ServiceModel {
  name: string;
  ports: PublishedPort[];
  labels: Record<string, string>;
  dependsOn: string[];
  hasHealthcheck: boolean;
  healthPath?: string;
  deploy?: string;
  build: boolean;
  /** Compose profiles the service belongs to (monitoring, grafana); empty for the core system. */
  profiles: string[];
}

export interface ComposeModel {
  project: string;
  services: ServiceModel[];
}

export function composeFiles(mode: StackMode): string[] {
  const files = ['docker-compose.yml'];
  if (mode !== 'default') files.push(`docker-compose.${mode}.yml`);
  return files.map((file) => path.join(projectRoot, file));
}

export function composeArgs(ctx: ComposeContext): string[] {
  // Without a TTY compose must print no control codes (cron logs, CI, --grep on logs).
  const args = ['compose', '--project-directory', projectRoot, ...(interactive ? [] : ['--ansi', 'never'])];
  if (existsSync(envFile)) args.push('--env-file', envFile);
  for (const file of composeFiles(ctx.mode)) args.push('-f', file);
  for (const profile of ctx.profiles) args.push('--profile', profile);
  return args;
}

/** Runs `docker compose <args>` with the context's files, profiles and environment. */
export function compose(ctx: ComposeContext, args: string[], options: { quiet?: boolean; timeout?: Duration } = {}) {
  const process$ = $({ env: { ...process.env, ...ctx.env }, cwd: projectRoot, verbose: false, quiet: options.quiet ?? true })`docker ${composeArgs(ctx)} ${args}`;
  return options.timeout ? process$.timeout(options.timeout) : process$;
}

interface RawService {
  ports?: Array<{ host_ip?: string; published?: string | number; target: number }>;
  labels?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  healthcheck?: { test?: string[]; disable?: boolean };
  build?: unknown;
  profiles?: string[];
}

/** Turns compose's JSON into the model the scripts use (pure, unit-tested). */
export function parseComposeConfig(json: string): ComposeModel {
  const raw = JSON.parse(json) as { name: string; services: Record<string, RawService> };
  const services = Object.entries(raw.services ?? {}).map(([name, svc]): ServiceModel => {
    const labels = svc.labels ?? {};
    return {
      name,
      ports: (svc.ports ?? [])
        .filter((p) => p.published !== undefined && p.published !== '')
        .map((p) => ({ hostIp: p.host_ip || '0.0.0.0', published: Number(p.published), target: p.target })),
      labels,
      dependsOn: Object.keys(svc.depends_on ?? {}),
      hasHealthcheck: Boolean(svc.healthcheck?.test?.length) && !svc.healthcheck?.disable && svc.healthcheck?.test?.[0] !== 'NONE',
      healthPath: labels['galaxy.health.path'],
      deploy: labels['galaxy.deploy'],
      build: Boolean(svc.build),
      profiles: svc.profiles ?? [],
    };
  });
  return { project: raw.name, services: orderByDependencies(services) };
}

/** Dependencies first (start order); reverse it to stop. */
export function orderByDependencies(services: ServiceModel[]): ServiceModel[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const ordered: ServiceModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: ServiceModel) => {
    if (state.get(service.name) === 'done') return;
    if (state.get(service.name) === 'visiting') throw new OperationError(`compose files have a dependency cycle through ${service.name}`);
    state.set(service.name, 'visiting');
    for (const dep of service.dependsOn) {
      const target = byName.get(dep);
      if (target) visit(target);
    }
    state.set(service.name, 'done');
    ordered.push(service);
  };
  for (const service of [...services].sort((a, b) => a.name.localeCompare(b.name))) visit(service);
  return ordered;
}

export async function loadComposeModel(ctx: ComposeContext): Promise<ComposeModel> {
  const out = await compose(ctx, ['config', '--format', 'json']).nothrow();
  if (out.exitCode !== 0) {
    const reason = out.stderr.trim().split('\n').slice(-1)[0] ?? 'no output';
    throw new OperationError(`the compose files are invalid: ${reason}`);
  }
  return parseComposeConfig(out.stdout);
}

/** Resolves a service name given by a person; unknown names are refused with the valid list. */
export function requireService(model: ComposeModel, name: string | undefined): ServiceModel {
  const names = model.services.map((s) => s.name);
  if (!name) throw new UsageError(`name a service (service=NAME); one of: ${names.join(', ')}`);
  const service = model.services.find((s) => s.name === name);
  if (!service) throw new UsageError(`unknown service '${name}': use one of ${names.join(', ')}`);
  return service;
}

export interface ContainerState {
  id: string;
  service: string;
  name: string;
  state: string;
  health: string;
  exitCode: number;
  /** Host ports this container publishes now. */
  publishedPorts: number[];
}

/** Containers of the project, stopped ones included (compose ps prints one JSON object a line). */
export async function listContainers(ctx: ComposeContext): Promise<ContainerState[]> {
  const out = await compose(ctx, ['ps', '--all', '--format', 'json'], { timeout: '20s' });
  return parsePsOutput(out.stdout);
}

export function parsePsOutput(text: string): ContainerState[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  // Compose < 2.21 printed one JSON array; newer versions print one object per line.
  const rows: Array<Record<string, unknown>> = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split('\n').map((line) => JSON.parse(line));
  return rows.map((row) => ({
    id: String(row.ID),
    service: String(row.Service),
    name: String(row.Name),
    state: String(row.State),
    health: String(row.Health ?? ''),
    exitCode: Number(row.ExitCode ?? 0),
    publishedPorts: ((row.Publishers as Array<{ PublishedPort?: number }> | null) ?? []).map((p) => Number(p.PublishedPort)).filter((p) => p > 0),
  }));
}
