// `scan(root)`: walk, analyse each file, assemble services, dependencies and problems. Pure reading:
// the scanned code is never executed.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { composeServices, containerServices, linkLaunches, nameServices, scriptServices, staticServices, unsupportedServices } from './assemble.ts';
import { composeDependencies, dedupe, scanFile } from './deps.ts';
import { analyzeCompose, analyzeDockerfile, isCompose, isDockerfile, mergeCompose, type ComposeService } from './docker.ts';
import type { FileFacts } from './facts.ts';
import { analyzeJs, resolveLocalJs } from './node.ts';
import { codeOf } from './text.ts';
import type { JsContext } from './values.ts';
import { propagateJsWrappers } from './jswrappers.ts';
import { propagateWrappers } from './wrappers.ts';
import { findStaticSites, findUnsupported } from './others.ts';
import { readPackage, readRequirements, type NodePackage } from './packages.ts';
import { findProblems } from './problems.ts';
import { analyzePy } from './python.ts';
import { buildServices, type Analysis } from './services.ts';
import { analyzeShell } from './shell.ts';
import { findStores } from './stores.ts';
import type { Inventory, Service } from './types.ts';
import { walk } from './walker.ts';

export class ScanInputError extends Error {}

export const METHOD = 'static analysis of source files (regular expressions and light parsing; no code executed); '
  + 'skipped: node_modules, .git, virtual environments, build output, binaries, files over 512 KiB, documentation';

/** Paths tracked by git under `root`, or null when it is not in a git work tree. */
function gitTracked(root: string, paths: string[]): Set<string> | null {
  if (!paths.length) return null;
  try {
    const out = execFileSync('git', ['-C', root, 'ls-files', '-z', '--', ...paths], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
    return new Set(out.split('\0').filter(Boolean));
  } catch {
    return null;
  }
}

export interface ScanOptions {
  /** Label for the root in the output (defaults to the path as given). */
  label?: string;
  now?: Date;
}

export function scan(root: string, options: ScanOptions = {}): Inventory {
  const started = performance.now();
  if (!existsSync(root)) throw new ScanInputError(`path does not exist: ${root}`);
  if (!statSync(root).isDirectory()) throw new ScanInputError(`not a directory: ${root}`);
  const abs = path.resolve(root);
  const walked = walk(abs);
  const files = walked.files;
  const known = new Set(files.map((f) => f.rel));
  const byModuleName = new Map<string, string[]>();
  for (const f of files) {
    if (f.ext !== 'py') continue;
    const mod = f.base === '__init__.py' ? path.posix.basename(f.dir) : f.base.slice(0, -3);
    byModuleName.set(mod, [...(byModuleName.get(mod) ?? []), f.rel]);
  }
  const facts = new Map<string, FileFacts>();
  const packages: NodePackage[] = [];
  const requirements = new Map<string, string[]>();
  const compose: ComposeService[] = [];
  const a: Analysis = { known, facts, packages, requirements, shells: [], dockerfiles: [], compose, sites: [], unsupported: [], tests: new Set(files.filter((f) => f.isTest).map((f) => f.rel)) };
  const ctx: JsContext = { byRel: new Map(files.map((f) => [f.rel, f])), known, codeOf, resolveImport: (from, spec) => resolveLocalJs(from, spec, known) };
  for (const f of files) {
    if (f.language === 'node') facts.set(f.rel, analyzeJs(f, known, ctx));
    else if (f.language === 'python') facts.set(f.rel, analyzePy(f, known, byModuleName));
    else if (f.language === 'shell') a.shells.push(analyzeShell(f, known));
    if (f.base === 'package.json') {
      const pkg = readPackage(f);
      if (pkg) packages.push(pkg);
      else walked.skipped.push({ path: f.rel, reason: 'package.json is not valid JSON' });
    }
    if (/^requirements.*\.txt$|^pyproject\.toml$/.test(f.base)) requirements.set(f.dir, [...(requirements.get(f.dir) ?? []), ...readRequirements(f)].sort());
    if (isDockerfile(f) && !f.isTest) a.dockerfiles.push(analyzeDockerfile(f));
    if (isCompose(f) && !f.isTest) {
      const c = analyzeCompose(f);
      if (c.error) walked.skipped.push({ path: f.rel, reason: c.error });
      compose.push(...c.services);
    }
  }
  propagateWrappers(files.filter((f) => f.language === 'python'), facts, codeOf);
  propagateJsWrappers(files.filter((f) => f.language === 'node'), facts, ctx);
  a.compose = mergeCompose(compose);
  a.sites = findStaticSites(files);
  a.unsupported = findUnsupported(files);
  const code = buildServices(a);
  const services: Service[] = [...code, ...scriptServices(a, code), ...staticServices(a, code), ...unsupportedServices(a), ...containerServices(a), ...composeServices(a)];
  const rootName = options.label ? path.basename(path.resolve(options.label)) : path.basename(abs);
  nameServices(services, rootName);
  linkLaunches(services);
  for (const s of services) if (s.status === 'not probed' && !s.ports.some((p) => p.port !== null)) s.status = 'no port';

  // A file belongs to the code service that imports it, else to the service whose folder holds it.
  const ownerOf = (rel: string): string | null => {
    const direct = services.find((s) => ['server', 'program', 'static'].includes(s.kind) && s.files.includes(rel));
    if (direct) return direct.name;
    let best: Service | undefined;
    for (const s of services) {
      if (!['server', 'program', 'static', 'unsupported'].includes(s.kind)) continue;
      if ((s.dir === '.' || rel.startsWith(`${s.dir}/`)) && (!best || s.dir.length > best.dir.length)) best = s;
    }
    if (best) return best.name;
    // An image's own files (images/offline/prometheus/prometheus.yml) belong to that image.
    const image = services.filter((s) => s.kind === 'container' && rel.startsWith(`${s.dir}/`)).sort((x, y) => y.dir.length - x.dir.length)[0];
    if (image) return image.name;
    // Config mounted into a compose service (./monitoring/prometheus:/etc/prometheus) is its own.
    const mounted = a.compose.find((c) => c.mounts.some((m) => rel === m || rel.startsWith(`${m}/`)));
    if (mounted) return services.find((s) => s.kind === 'compose' && s.entry === mounted.file && s.reason.startsWith(`service "${mounted.name}"`))?.name ?? mounted.name;
    return services.find((s) => s.entry === rel)?.name ?? null;
  };
  const deps = dedupe([
    ...files.flatMap((f) => scanFile(f, ownerOf(f.rel) ?? f.rel, services)),
    ...composeDependencies(a.compose, services),
  ]).filter((d) => d.resolved !== d.from);
  const { datastores, externalApis } = findStores(services, deps, files, walked.seen, ownerOf);
  const problems = findProblems({ files, services, facts, shells: a.shells, tracked: gitTracked(abs, files.filter((f) => /^\.env(\..+)?$/.test(f.base)).map((f) => f.rel)) });
  return {
    version: 1,
    generatedAt: (options.now ?? new Date()).toISOString(),
    root: options.label ?? root,
    method: METHOD,
    probed: false,
    services,
    dependencies: deps,
    datastores,
    externalApis,
    problems,
    stats: { files: walked.seen.length, read: files.length, skipped: walked.skipped, ms: Math.round(performance.now() - started) },
  };
}
