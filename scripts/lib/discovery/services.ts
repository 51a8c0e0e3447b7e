// Assembles services from per-file facts: Node packages and listeners, Python programs, start
// scripts, Dockerfiles, compose services, static sites and unsupported-language services.
import path from 'node:path';
import { parseLaunches } from './commands.ts';
import type { ComposeService, DockerfileFacts } from './docker.ts';
import { uniqSorted, type FileFacts, type Listener } from './facts.ts';
import type { StaticSite, UnsupportedHit } from './others.ts';
import { nearest, type NodePackage } from './packages.ts';
import type { ShellFacts } from './shell.ts';
import { resolveTarget } from './shell.ts';
import type { Service, ServiceKind } from './types.ts';

export interface Analysis {
  known: Set<string>;
  facts: Map<string, FileFacts>;
  packages: NodePackage[];
  requirements: Map<string, string[]>;
  shells: ShellFacts[];
  dockerfiles: DockerfileFacts[];
  compose: ComposeService[];
  sites: StaticSite[];
  unsupported: UnsupportedHit[];
  tests: Set<string>;
}

/** The entry file and the local files it imports, transitively. */
export function closure(entry: string, facts: Map<string, FileFacts>): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length && seen.size < 300) {
    for (const next of facts.get(queue.shift() as string)?.localImports ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return [...seen];
}

/** `node dist/server.js` runs code whose source is `src/server.ts`. */
function sourceOf(target: string, known: Set<string>): string | null {
  if (known.has(target)) return target;
  const src = target.replace(/(^|\/)(dist|build|lib|out)\//, '$1src/');
  for (const c of [src, src.replace(/\.(m|c)?js$/, '.ts'), target.replace(/\.(m|c)?js$/, '.ts')]) if (known.has(c)) return c;
  return null;
}

function codeService(a: Analysis, entry: string, kind: ServiceKind, reason: string): Service {
  const files = closure(entry, a.facts);
  const all = files.map((f) => a.facts.get(f)).filter((f): f is FileFacts => f !== undefined);
  const listeners: Listener[] = all.flatMap((f) => f.listeners);
  const first = a.facts.get(entry);
  const dir = path.posix.dirname(entry);
  const isNode = first?.language === 'node';
  const declared = isNode ? nearest(dir, new Map(a.packages.map((p) => [p.dir, p.dependencies]))) : nearest(dir, a.requirements);
  return {
    name: '',
    kind,
    language: first?.language ?? 'unknown',
    framework: listeners[0]?.framework ?? first?.frameworks[0] ?? null,
    // The same port from repeated calls once: the first place it is written.
    entry,
    dir,
    ports: listeners
      .map((l) => l.port)
      .filter((p) => p !== null)
      .filter((p, i, all) => all.findIndex((q) => q.port === p.port && q.env === p.env && q.source === p.source) === i),
    bind: listeners.find((l) => l.bind)?.bind ?? null,
    start: null,
    dependencies: { declared: declared ?? [], imported: uniqSorted(all.flatMap((f) => f.packages)) },
    env: uniqSorted(all.flatMap((f) => f.env)),
    health: all.map((f) => f.health).find((h) => h) ?? null,
    metrics: all.map((f) => f.metrics).find((m) => m) ?? null,
    reason,
    status: 'not probed',
    files: files.sort(),
  };
}

function listenerReason(l: Listener): string {
  return `${l.call} at ${l.file}:${l.line}`;
}

export function buildServices(a: Analysis): Service[] {
  const services: Service[] = [];
  const claimed = new Set<string>();
  const listenerFiles = [...a.facts.values()].filter((f) => f.listeners.length > 0).map((f) => f.file);
  const pkgDirs = new Set(a.packages.map((p) => p.dir));
  const inPackage = (file: string, dir: string) =>
    (dir === '.' || file.startsWith(`${dir}/`)) && nearest(path.posix.dirname(file), new Map([...pkgDirs].map((d) => [d, d]))) === dir;

  for (const pkg of a.packages) {
    const launch = pkg.start ? parseLaunches(pkg.start)[0] : undefined;
    let entry: string | null = null;
    if (launch?.target) entry = sourceOf(path.posix.normalize(path.posix.join(pkg.dir, launch.target)), a.known);
    if (!entry && pkg.main) entry = sourceOf(path.posix.normalize(path.posix.join(pkg.dir, pkg.main)), a.known);
    if (!entry) {
      const fallback = ['src/index.ts', 'src/server.ts', 'src/main.ts', 'index.js', 'server.js', 'app.js'].map((c) => path.posix.join(pkg.dir, c));
      entry = fallback.find((c) => a.known.has(c)) ?? null;
    }
    let files = entry ? closure(entry, a.facts) : [];
    if (entry && !files.some((f) => listenerFiles.includes(f))) {
      const own = listenerFiles.filter((f) => inPackage(f, pkg.dir) && !claimed.has(f));
      if (own.length === 1) files = [...files, ...closure(own[0], a.facts)];
    }
    const listening = files.filter((f) => listenerFiles.includes(f));
    if (!pkg.start && !listening.length && launch?.kind !== 'frontend-dev') continue;
    if (!entry && launch?.kind !== 'frontend-dev') continue;
    const main = entry ?? pkg.file;
    const s = codeService(a, listening[0] ?? main, listening.length ? 'server' : 'program', '');
    s.entry = main;
    s.dir = pkg.dir;
    s.files = uniqSorted([...s.files, ...files]);
    s.name = pkg.name?.replace(/^@[^/]+\//, '') ?? '';
    s.start = pkg.start ? `npm start (${pkg.start})` : null;
    s.dependencies.declared = pkg.dependencies;
    if (launch?.kind === 'frontend-dev' && !listening.length) {
      s.kind = 'server';
      s.language = 'node';
      s.framework = launch.framework;
      s.ports = [{ port: launch.port, source: launch.portIsDefault ? 'framework-default' : 'literal', file: pkg.file, line: 1 }];
      s.reason = `start script "${pkg.start}" in ${pkg.file}`;
    } else {
      const l = listening.flatMap((f) => a.facts.get(f)?.listeners ?? [])[0];
      s.reason = l ? listenerReason(l) : `start script "${pkg.start}" in ${pkg.file}`;
    }
    listening.forEach((f) => claimed.add(f));
    services.push(s);
  }
  for (const file of listenerFiles) {
    if (claimed.has(file)) continue;
    const facts = a.facts.get(file) as FileFacts;
    services.push(codeService(a, file, 'server', listenerReason(facts.listeners[0])));
    claimed.add(file);
  }
  const imported = new Set([...a.facts.values()].flatMap((f) => f.localImports));
  for (const f of a.facts.values()) {
    if (f.language !== 'python' || !f.isMain || claimed.has(f.file) || a.tests.has(f.file) || imported.has(f.file) || /(^|\/)setup\.py$/.test(f.file)) continue;
    const s = codeService(a, f.file, 'program', `if __name__ == "__main__" at ${f.file}`);
    s.start = `python3 ${path.posix.basename(f.file)}`;
    services.push(s);
  }
  attachLaunches(a, services);
  return services;
}

/** The code service a launched file belongs to (a package.json stands for its package's service). */
export function serviceForFile(services: Service[], file: string | null): Service | undefined {
  if (!file) return undefined;
  const code = services.filter((s) => s.kind === 'server' || s.kind === 'program');
  if (path.posix.basename(file) === 'package.json') return code.find((s) => s.dir === path.posix.dirname(file) && s.language === 'node');
  return code.find((s) => s.entry === file) ?? code.find((s) => s.files.includes(file));
}

/** Start commands found in scripts and Dockerfiles complete the services they start. */
function attachLaunches(a: Analysis, services: Service[]): void {
  const byFile = (file: string | null) => serviceForFile(services, file);
  for (const d of a.dockerfiles) {
    for (const t of d.targets) {
      const s = byFile(resolveTarget(t, d.dir === '.' ? '' : d.dir, null, a.known) ?? null);
      if (s && !s.start) s.start = `${d.cmd} (${d.file})`;
    }
  }
  for (const sh of a.shells) {
    for (const l of sh.launches) {
      const s = byFile(l.resolved);
      if (!s) continue;
      if (!s.start) s.start = `${l.command} (${sh.file}:${l.line})`;
      // An ASGI app gets its port and address from the command line that serves it.
      if ((l.kind === 'asgi' || l.kind === 'wsgi' || l.framework === 'flask') && s.ports.length === 0 && l.port !== null) {
        s.ports.push({ port: l.port, source: 'literal', file: sh.file, line: l.line });
        if (l.host) s.bind = { address: l.host, source: 'literal', file: sh.file, line: l.line };
      }
    }
  }
}
