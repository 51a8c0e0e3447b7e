// `scan(root)`: walk, analyse each file, assemble services, dependencies and problems. Pure reading:
// the scanned code is never executed.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { composeServices, containerServices, linkLaunches, nameServices, scriptServices, staticServices, unsupportedServices } from './assemble.ts';
import { composeDependencies, dedupe, passDependencies, scanFile } from './deps.ts';
import { analyzeCompose, analyzeDockerfile, isCompose, isDockerfile, mergeCompose, type ComposeService } from './docker.ts';
import type { FileFacts } from './facts.ts';
import { analyzeJs, resolveLocalJs } from './node.ts';
import { codeOf } from './text.ts';
import type { JsContext } from './values.ts';
import { propagateJsWrappers } from './jswrappers.ts';
import { propagateWrappers } from './wrappers.ts';
import { nginxPasses } from './nginx.ts';
import { findStaticSites, findUnsupported, isNginxConf } from './others.ts';
import { envFileValues } from './vars.ts';
import { readPackage, readRequirements, type NodePackage } from './packages.ts';
import { analyzeManifest, isManifest } from './kube.ts';
import { mergeProjects, splitCopies } from './merge.ts';
import { findProblems } from './problems.ts';
import { markerDirs, projectNames, projectRootOf } from './projects.ts';
import { analyzePy } from './python.ts';
import { buildServices, type Analysis } from './services.ts';
import { analyzeShell } from './shell.ts';
import { findStores } from './stores.ts';
import type { Inventory, Service, SourceFile } from './types.ts';
import { walk } from './walker.ts';

export class ScanInputError extends Error {}

export const METHOD =
  'static analysis of source files (regular expressions and light parsing; no code executed); ' +
  'skipped: node_modules, .git, virtual environments, build output, binaries, files over 512 KiB, documentation';

/** Paths tracked by git under `root`, or null when it is not in a git work tree. */
function gitTracked(root: string, paths: string[]): Set<string> | null {
  if (!paths.length) return null;
  try {
    const out = execFileSync('git', ['-C', root, 'ls-files', '-z', '--', ...paths], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
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
  const a: Analysis = {
    known,
    facts,
    packages,
    requirements,
    shells: [],
    dockerfiles: [],
    compose,
    sites: [],
    unsupported: [],
    tests: new Set(files.filter((f) => f.isTest).map((f) => f.rel)),
  };
  const ctx: JsContext = { byRel: new Map(files.map((f) => [f.rel, f])), known, codeOf, resolveImport: (from, spec) => resolveLocalJs(from, spec, known) };
  for (const f of files) {
    if (f.language === 'node') facts.set(f.rel, analyzeJs(f, known, ctx));
    else if (f.language === 'python') facts.set(f.rel, analyzePy(f, known, byModuleName));
    else if (f.language === 'shell' && !f.isTest) a.shells.push(analyzeShell(f, known));
    // Test fixtures are examples of other codebases, not parts of this one.
    if (f.isTest) continue;
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
    } else if (isManifest(f) && !f.isTest) {
      const k = analyzeManifest(f);
      if (k.error) walked.skipped.push({ path: f.rel, reason: k.error });
      compose.push(...k.services);
    }
  }
  propagateWrappers(
    files.filter((f) => f.language === 'python'),
    facts,
    codeOf,
  );
  propagateJsWrappers(
    files.filter((f) => f.language === 'node'),
    facts,
    ctx,
  );
  a.compose = mergeCompose(compose);
  const markers = markerDirs(files);
  // A workload's image (`image: cartservice`) names the folder it is built from.
  for (const c of a.compose) {
    // An image run with a project folder mounted (`./billing:/app`) runs that project's code.
    const mountedProject = c.mounts.filter((m) => markers.has(m));
    if (!c.build && mountedProject.length === 1) c.build = mountedProject[0];
    if (c.origin !== 'kubernetes' || c.build) continue;
    const base = c.image?.split('/').pop()?.split(/[:@]/)[0];
    const folders = [...markers].filter((d) => d !== '.' && [base, c.name].includes(path.posix.basename(d)));
    if (folders.length === 1) c.build = folders[0];
  }
  a.sites = findStaticSites(files);
  a.unsupported = findUnsupported(files);
  const code = buildServices(a);
  const rows: Service[] = [
    ...code,
    ...scriptServices(a, code),
    ...staticServices(a, code),
    ...unsupportedServices(a),
    ...containerServices(a),
    ...composeServices(a),
  ];
  const { services, copies } = splitCopies(mergeProjects(rows, { markers, names: projectNames(files) }));
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
      // Any service with a folder of its own (a merged compose or Dockerfile row too), not a script.
      if (s.kind === 'script' || (s.kind === 'compose' && !s.sources?.some((x) => x.build))) continue;
      if ((s.dir === '.' || rel.startsWith(`${s.dir}/`)) && (!best || s.dir.length > best.dir.length)) best = s;
    }
    if (best) return best.name;
    // An image's own files (images/offline/prometheus/prometheus.yml) belong to that image.
    const image = services.filter((s) => s.kind === 'container' && rel.startsWith(`${s.dir}/`)).sort((x, y) => y.dir.length - x.dir.length)[0];
    if (image) return image.name;
    // Config mounted into a compose service (./monitoring/prometheus:/etc/prometheus) is its own.
    const mounted = a.compose.find((c) => c.mounts.some((m) => rel === m || rel.startsWith(`${m}/`)));
    if (mounted) return services.find((s) => s.sources?.some((x) => x.name === mounted.name && x.file === mounted.file))?.name ?? mounted.name;
    return services.find((s) => s.entry === rel)?.name ?? null;
  };
  // Values the tree sets itself, for `${VAR}` in hosts: the root's .env.example (then .env).
  const rootVars = Object.assign(
    {},
    ...files
      .filter((f) => f.dir === '.' && /^\.env(\.(example|sample|defaults?))?$/.test(f.base))
      .sort((x, y) => y.base.length - x.base.length)
      .map(envFileValues),
  ) as Record<string, string>;
  const nginxDeps = (f: SourceFile) => {
    const root = projectRootOf(f.dir, markers) ?? f.dir;
    const vars: Record<string, string> = { ...rootVars };
    for (const d of a.dockerfiles) if (d.dir === root || d.dir === f.dir) Object.assign(vars, d.envValues);
    for (const c of a.compose) if (c.build === root) Object.assign(vars, c.env);
    return passDependencies(f, ownerOf(f.rel) ?? f.rel, nginxPasses(f, vars), services);
  };
  const deps = dedupe([
    // A copy's calls are its original's: counted once, from the original.
    ...files
      .filter((f) => !copies.some((c) => f.rel.startsWith(`${c.dir}/`)))
      .flatMap((f) => (isNginxConf(f) && !f.isTest ? nginxDeps(f) : scanFile(f, ownerOf(f.rel) ?? f.rel, services))),
    ...composeDependencies(a.compose, services, rootVars),
  ]).filter((d) => d.resolved !== d.from);
  const { datastores, externalApis } = findStores(services, deps, files, walked.seen, ownerOf);
  const problems = findProblems({
    files,
    services,
    facts,
    shells: a.shells,
    tracked: gitTracked(
      abs,
      files.filter((f) => /^\.env(\..+)?$/.test(f.base)).map((f) => f.rel),
    ),
  });
  return {
    version: 2,
    generatedAt: (options.now ?? new Date()).toISOString(),
    root: options.label ?? root,
    method: METHOD,
    probed: false,
    services,
    dependencies: deps,
    datastores,
    externalApis,
    problems,
    copies,
    stats: { files: walked.seen.length, read: files.length, skipped: walked.skipped, ms: Math.round(performance.now() - started) },
  };
}
