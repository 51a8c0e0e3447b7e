// The adopt plan (pure): from the discovery inventory and a few files of the codebase to one
// decision per service. Nothing here touches the disk or Docker; the writers render the plan.
import path from 'node:path';
import type { Inventory, Service } from '../discovery/types.ts';
import { envDefault, isDataFolderName, isSecretName, sqlitePathVariable } from './code-facts.ts';
import { linkServices, resolveHostPorts } from './links.ts';
import { mapToDebian, parsePyproject, parseRequirements } from './python-deps.ts';
import type { AdoptPlan, EnvEntry, HealthPlan, ImageKind, ServicePlan, SourceTree } from './types.ts';

export interface PlanOptions {
  /** Service names to adopt (compose names or discovery names); empty = all. */
  only: string[];
  /** offline: Python requirements become Debian packages; registry: pip. */
  imageMode: 'offline' | 'registry';
  /** .env and .env.example values now (a host port already chosen is kept). */
  existing: Record<string, string>;
  /** Host ports the kit or others hold, with who holds them. */
  taken: Map<number, string>;
}

const LOOPBACK = /^(127\.0\.0\.1|localhost|::1)$/;
/** Where adopted services keep local state: one named volume each, mounted here. */
export const DATA_DIR = '/data';

/** A compose service name for a discovery row: `scripts/start-worker.sh` -> `worker`. */
export function composeName(row: Service): string {
  const base =
    row.kind === 'script'
      ? path
          .basename(row.name)
          .replace(/\.\w+$/, '')
          .replace(/^(start|run)[-_]/, '')
      : row.name;
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[^a-z0-9]+|-+$/g, '') || 'service'
  );
}

export const envName = (service: string) => service.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

/** The language a start script runs: the first launched file's. */
function scriptLanguage(row: Service): string | null {
  const target = row.launches?.find((l) => l.target)?.target ?? '';
  return target.endsWith('.py') ? 'python' : /\.(m?js|cjs)$/.test(target) ? 'node' : null;
}

function imageKind(row: Service, tree: SourceTree): ImageKind | null {
  if (tree.read(path.join(row.dir, 'Dockerfile')) !== undefined) return 'dockerfile';
  const language = row.kind === 'script' ? scriptLanguage(row) : row.language;
  if (row.kind === 'static') return 'static';
  if (language === 'node' || language === 'python') return language;
  return null;
}

function nodeInstall(dir: string, tree: SourceTree): ServicePlan['install'] {
  const files = tree.list(dir);
  const manager = files.includes('pnpm-lock.yaml')
    ? 'pnpm'
    : files.includes('yarn.lock')
      ? 'yarn'
      : files.includes('package-lock.json')
        ? 'npm'
        : 'npm (no lock file)';
  return { manager, packages: [], unmapped: [] };
}

function pythonInstall(dir: string, tree: SourceTree, mode: PlanOptions['imageMode']): ServicePlan['install'] {
  const req = tree.read(path.join(dir, 'requirements.txt'));
  const pyproject = tree.read(path.join(dir, 'pyproject.toml'));
  const names = req !== undefined ? parseRequirements(req) : pyproject !== undefined ? parsePyproject(pyproject) : [];
  if (mode === 'registry')
    return { manager: req !== undefined ? 'pip (requirements.txt)' : pyproject !== undefined ? 'pip (pyproject)' : 'none', packages: [], unmapped: [] };
  return { manager: names.length ? 'apt (Debian python3-*)' : 'none', ...mapToDebian(names) };
}

function startCommand(row: Service, kind: ImageKind, workdir: string): string[] {
  const rel = (file: string) => path.relative(workdir, file) || path.basename(file);
  if (row.kind === 'script') return ['bash', row.entry];
  const fromStart = row.start ? (/\((node|python3?) ([^)]+)\)/.exec(row.start) ?? /^(node|python3?) (.+)$/.exec(row.start)) : null;
  if (fromStart) return [fromStart[1] === 'node' ? 'node' : 'python3', ...fromStart[2].split(/\s+/)];
  return kind === 'node' ? ['node', rel(path.relative(row.dir, row.entry))] : ['python3', rel(path.relative(row.dir, row.entry))];
}

function healthOf(row: Service, kind: ImageKind, port: number | null): HealthPlan {
  if (kind === 'static') return { kind: 'http', path: '/' };
  if (kind === 'dockerfile' || port === null) return { kind: 'none' };
  return row.health ? { kind: 'http', path: row.health } : { kind: 'tcp' };
}

/** One service's decisions, before ports and links are settled across services. */
function planService(row: Service, kind: ImageKind, inv: Inventory, tree: SourceTree, opts: PlanOptions): { plan: ServicePlan; sources: string[] } {
  const name = composeName(row);
  const prefix = envName(name);
  const launched = (row.launches ?? []).map((l) => l.target).filter((t): t is string => !!t);
  const outside = row.files.filter((f) => f !== row.dir && !f.startsWith(`${row.dir}/`) && row.dir !== '.');
  const rootContext = row.kind === 'script' || outside.length > 0;
  const context = rootContext ? '.' : row.dir;
  const sources = row.kind === 'script' ? [row.entry, ...launched.map((t) => path.dirname(t))] : [row.dir, ...outside];
  const contextReason =
    row.kind === 'script'
      ? 'the repository root: a start script runs files of other folders'
      : outside.length
        ? `the repository root: the code loads ${outside.join(', ')} from outside ${row.dir}`
        : `${row.dir}, the service's folder`;
  const workdir = rootContext ? (row.kind === 'script' ? '.' : row.dir) : '.';
  const texts = row.files.map((f) => tree.read(f) ?? '');
  const containerPort = kind === 'static' ? 8080 : (row.ports.find((p) => p.port)?.port ?? null);
  const plan: ServicePlan = {
    name,
    from: row.name,
    language: row.kind === 'script' ? (scriptLanguage(row) ?? row.language) : row.language,
    image: kind,
    install:
      kind === 'node'
        ? nodeInstall(row.dir, tree)
        : kind === 'python'
          ? pythonInstall(row.kind === 'script' ? path.dirname(launched[0] ?? row.dir) : row.dir, tree, opts.imageMode)
          : { manager: 'none', packages: [], unmapped: [] },
    context,
    contextReason,
    workdir,
    copy: rootContext ? [...new Set(sources)] : ['.'],
    dockerfile: kind === 'dockerfile' ? path.join(row.dir, 'Dockerfile') : undefined,
    command: kind === 'static' || kind === 'dockerfile' ? [] : startCommand(row, kind, rootContext ? row.dir : '.'),
    port: containerPort ? { container: containerPort, hostVar: `${prefix}_PORT`, host: containerPort } : null,
    health: healthOf(row, kind, containerPort),
    dependsOn: [],
    environment: {},
    envExample: [],
    volumes: [],
    folders: [],
    seed: [],
    labels: { 'galaxy.adopted.from': row.dir },
    forward: null,
    interpreterFixes: [],
    notes: [],
  };
  if (plan.install.unmapped.length)
    plan.notes.push(`no Debian package known for ${plan.install.unmapped.join(', ')}: add the python3-* package to services/${name}/Dockerfile or vendor it`);
  const portEnv = row.ports.find((p) => p.port === containerPort)?.env;
  if (portEnv && containerPort) plan.environment[portEnv] = String(containerPort);
  if (row.bind && LOOPBACK.test(row.bind.address) && containerPort) {
    if (row.bind.source === 'env' && row.bind.env) {
      plan.environment[row.bind.env] = '0.0.0.0';
      plan.notes.push(`binds ${row.bind.address} by default: ${row.bind.env}=0.0.0.0 in its environment`);
    } else {
      plan.forward = containerPort;
      plan.notes.push(
        `binds ${row.bind.address} (${row.bind.file}:${row.bind.line}): its entry point forwards the container's address, port ${containerPort}, to it (socat); the code is unchanged`,
      );
    }
  }
  // Local state: each SQLite file this service opens goes to a named volume, through the variable the code reads.
  for (const store of inv.datastores.filter((d) => d.type === 'SQLite' && d.users.includes(row.name))) {
    const variable = sqlitePathVariable(tree.read(store.file) ?? '', store.line);
    if (!variable) {
      plan.notes.push(`needs a code change: ${store.file}:${store.line}: read the SQLite path from an env variable so it can live on a volume`);
      continue;
    }
    const dir = path.dirname(store.file);
    const committed = tree.list(dir).find((f) => /\.(db|sqlite3?)$/.test(f));
    const file = `${DATA_DIR}/${committed ?? `${name}.db`}`;
    plan.environment[variable] = file;
    if (!plan.volumes.length) plan.volumes.push({ name: `${name}-data`, target: DATA_DIR });
    if (committed) plan.seed.push({ file: path.relative(context, path.join(dir, committed)), target: file });
    plan.labels['galaxy.backup'] = `sqlite:${file}`;
  }
  // Data or upload folders the code reads from a variable: on the same volume, the variable pointing there.
  for (const variable of row.env.filter((v) => !(v in plan.environment) && isDataFolderName(v))) {
    const folder = `${DATA_DIR}/${path.posix.basename(envDefault(texts, variable) ?? '') || variable.toLowerCase()}`;
    plan.environment[variable] = folder;
    if (!plan.volumes.length) plan.volumes.push({ name: `${name}-data`, target: DATA_DIR });
    plan.folders.push(folder);
    plan.notes.push(`${variable}=${folder}: a data folder, on the named volume ${name}-data`);
  }
  // SQLite alone: its online snapshot; with folders beside it, a tar of the volume taken with the service stopped.
  if (plan.folders.length) plan.labels['galaxy.backup'] = 'volume';
  for (const variable of row.env.filter((v) => !(v in plan.environment))) plan.envExample.push(envEntry(prefix, variable, texts));
  for (const e of plan.envExample)
    plan.environment[e.variable] = e.secret ? `\${${e.name}:?set ${e.name} in .env (make start generates it)}` : `\${${e.name}:-${e.value}}`;
  plan.labels['galaxy.deploy'] = plan.volumes.length ? 'recreate' : 'rolling';
  plan.labels['galaxy.autoheal'] = 'true';
  if (plan.health.kind === 'http' && plan.port) {
    plan.labels['galaxy.health.path'] = plan.health.path;
    plan.labels['galaxy.health.port'] = String(plan.port.container);
  }
  // Prometheus scrapes a metrics route the code serves (make start's scrape targets read these labels).
  if (row.metrics && plan.port) {
    plan.labels['galaxy.metrics.path'] = row.metrics;
    plan.labels['galaxy.metrics.port'] = String(plan.port.container);
    plan.notes.push(`Prometheus scrapes ${row.metrics} on port ${plan.port.container}`);
  }
  for (const p of inv.problems.filter((p) => p.rule === 'hardcoded-interpreter' && sources.some((s) => p.file === s || p.file.startsWith(`${s}/`)))) {
    const from = /interpreter (\S+?):/.exec(p.message)?.[1];
    if (from) {
      plan.interpreterFixes.push({ file: path.relative(context, p.file), from, to: path.basename(from) });
      plan.notes.push(`${p.file}:${p.line}: ${from} becomes ${path.basename(from)} (from the image's PATH) in the image's copy`);
    }
  }
  return { plan, sources };
}

function envEntry(prefix: string, variable: string, texts: string[]): EnvEntry {
  const name = variable.startsWith(`${prefix}_`) ? variable : `${prefix}_${variable}`;
  if (isSecretName(variable))
    return { name, variable, value: '', secret: true, comment: `@secret read by the code as ${variable}; generated, never copied from a committed .env` };
  return { name, variable, value: envDefault(texts, variable) ?? '', secret: false, comment: `read by the code as ${variable}` };
}

/** The plan for every chosen service of the inventory. */
export function planAdoption(inv: Inventory, tree: SourceTree, opts: PlanOptions): AdoptPlan {
  const skipped: string[] = [];
  const plans: ServicePlan[] = [];
  const sources = new Map<string, string[]>();
  const byRow = new Map<string, ServicePlan>();
  const wanted = (row: Service) => !opts.only.length || opts.only.includes(composeName(row)) || opts.only.includes(row.name);
  for (const row of inv.services.filter(wanted)) {
    if (row.kind === 'compose') {
      skipped.push(`skipped: ${row.name}: a service of the codebase's own compose file (adopt its build folder instead)`);
      continue;
    }
    if (row.kind === 'script' && !scriptLanguage(row)) continue;
    const kind = imageKind(row, tree);
    const name = composeName(row);
    if (!kind) {
      skipped.push(`not adopted: ${name} (${row.language}): write services/${name}/Dockerfile`);
      continue;
    }
    if (plans.some((p) => p.name === name)) {
      skipped.push(`skipped: ${row.name}: a second service named ${name}`);
      continue;
    }
    const { plan, sources: files } = planService(row, kind, inv, tree, opts);
    plans.push(plan);
    sources.set(plan.name, files);
    byRow.set(row.name, plan);
  }
  const unknown = opts.only.filter(
    (n) => !plans.some((p) => p.name === n || p.from === n) && !skipped.some((s) => s.includes(` ${n} `) || s.includes(` ${n}:`)),
  );
  for (const n of unknown) skipped.push(`not found: ${n}: no such service in the discovery report (its names are in the table of make discover)`);
  resolveHostPorts(plans, opts.existing, opts.taken);
  const problems = linkServices(plans, sources, inv.dependencies, byRow);
  for (const p of plans) problems.push(...p.notes.filter((n) => n.startsWith('needs a code change')));
  for (const p of inv.problems.filter((p) => p.rule === 'debug-mode' || p.rule === 'committed-env'))
    problems.push(`not fixed by adopt: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
  return { services: plans, skipped, problems };
}
