// Dependencies: URLs and host:port pairs in code and config, resolved to the service listening
// there; data stores and external APIs. Credentials in URLs are masked, never reported.
import { isCompose, type ComposeService } from './docker.ts';
import { DATASTORE_IMAGES, DATASTORE_PORTS, DATASTORE_SCHEMES, EXTERNAL_HOSTS, IGNORED_HOSTS, LOOPBACK } from './catalog.ts';
import { isManifest } from './kube.ts';
import type { PassTarget } from './nginx.ts';
import { isNginxConf } from './others.ts';
import { substitute } from './vars.ts';
import { codeOf, matchesWithLine } from './text.ts';
import type { Dependency, DependencyKind, Service, SourceFile } from './types.ts';

const URL_RE = /\b(https?|wss?|redis|rediss|postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|amqps?|nats|kafka|mqtt|grpc|tcp):\/\/([^\s'"`<>)\]},;\\]+)/g;
const PAIR_RE = /['"`]((?:localhost|127\.0\.0\.1|0\.0\.0\.0|host\.docker\.internal|[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*)):(\d{2,5})['"`/]/g;
const ENV_HOST_RE =
  /(?:process\.env\.|os\.environ\.get\(\s*['"]|os\.getenv\(\s*['"]|\$\{)([A-Z][A-Z0-9_]*_(?:HOST|HOSTNAME|ADDR))['"]?\s*(?:\|\||\?\?|,|:-)\s*['"]?([a-z][\w.-]*)/g;

export interface Located {
  from: string;
  file: string;
  line: number;
}

const ENV_ON_LINE =
  /(?<![\w.])(?:process\.)?env\.([A-Z]\w*)|process\.env\[['"](\w+)['"]\]|(?:environ\.get|getenv)\(\s*['"](\w+)['"]|environ\[['"](\w+)['"]\]|\$\{(\w+)(?::?-)|^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*[=:]/g;

function envOnLine(lineText: string, before: number): string | undefined {
  // `NAME=url` (.env, Dockerfile ENV, shell) or `NAME: url` (YAML) right before the URL.
  const assigned = /([A-Z][A-Z0-9_]*)\s*[=:]\s*['"]?$/.exec(lineText.slice(0, before));
  if (assigned) return assigned[1];
  let found: string | undefined;
  for (const m of lineText.matchAll(ENV_ON_LINE)) {
    if ((m.index ?? 0) > before) break;
    found = m.slice(1).find(Boolean);
  }
  return found;
}

export function resolveTarget(
  host: string | null,
  port: number | null,
  scheme: string | null,
  services: Service[],
): Pick<Dependency, 'kind' | 'resolved' | 'name'> {
  const h = host?.toLowerCase() ?? null;
  let target: Service | undefined;
  if (h && LOOPBACK.has(h) && port !== null) {
    target =
      services.find((s) => ['server', 'static', 'unsupported'].includes(s.kind) && s.ports.some((p) => p.port === port)) ??
      services.find((s) => s.ports.some((p) => p.published?.port === port));
  } else if (h) {
    // A host name is a network name: a code service of that name or folder, else the compose
    // service of that name, else a container built from a folder of that name.
    const byName = (s: Service) => s.name.toLowerCase() === h || s.dir.split('/').pop()?.toLowerCase() === h;
    const composeName = (s: Service) => s.sources?.some((x) => (x.kind === 'compose' || x.kind === 'manifest') && x.name?.toLowerCase() === h) ?? false;
    target =
      services.find((s) => ['server', 'program', 'static', 'unsupported'].includes(s.kind) && byName(s)) ??
      services.find(composeName) ??
      services.find((s) => s.kind === 'container' && byName(s));
  }
  if (target) {
    const store = target.kind === 'compose' && target.image ? DATASTORE_IMAGES.find(([re]) => re.test(target?.image ?? '')) : undefined;
    return { kind: store ? 'datastore' : 'internal', resolved: target.name, name: store ? store[1] : target.name };
  }
  const storeName =
    (scheme && DATASTORE_SCHEMES[scheme]) ||
    (port !== null && DATASTORE_PORTS[port]) ||
    (h && /^(db|database|postgres(ql)?|pg|redis|cache|mongo(db)?|mysql|mariadb|rabbitmq)$/.test(h)
      ? h === 'db' || h === 'database' || h === 'pg'
        ? 'PostgreSQL'
        : h === 'cache'
          ? 'Redis'
          : h.replace(/^postgresql$/, 'postgres')
      : null);
  if (storeName) return { kind: 'datastore', resolved: null, name: storeName === 'postgres' ? 'PostgreSQL' : storeName };
  if (h && /\.[a-z]{2,}$/.test(h) && !LOOPBACK.has(h)) {
    return { kind: 'external', resolved: null, name: EXTERNAL_HOSTS.find(([re]) => re.test(h))?.[1] ?? h };
  }
  return { kind: 'unresolved' as DependencyKind, resolved: null, name: null };
}

function parseUrl(scheme: string, rest: string): { host: string | null; port: number | null; masked: string } {
  const m = /^(?:([^@/\s]*)@)?(\[[^\]]+\]|[^:/?#\s]*)(?::(\d+))?(.*)$/.exec(rest);
  if (!m) return { host: null, port: null, masked: `${scheme}://${rest}` };
  const user = m[1] !== undefined ? `${m[1].split(':')[0]}${m[1].includes(':') ? ':***' : ''}@` : '';
  // A templated port (`:${PORT}`, `:{port}`) is the program talking to itself or unknown: skip it.
  const templated = !m[3] && /^:[^\d]/.test(m[4]);
  const host = m[2] && !/[${}]/.test(m[2]) && !templated ? m[2] : null;
  const defaults: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443 };
  const port = m[3] ? Number(m[3]) : scheme in defaults && !host?.match(/\.[a-z]{2,}$/) ? null : null;
  return { host, port, masked: `${scheme}://${user}${m[2]}${m[3] ? `:${m[3]}` : ''}${m[4].replace(/[?#].*$/, '')}`.replace(/\/$/, '') };
}

// Build and package files name repositories and registries to download from, not services called.
const BUILD_FILE =
  /^(package(-lock)?\.json|requirements.*\.txt|pom\.xml|(build|settings)\.gradle(\.kts)?|gradle\.properties|[\w.-]+\.(csproj|fsproj|sln)|nuget\.config|go\.(mod|sum)|cargo\.toml|gemfile|composer\.json|pipfile|pyproject\.toml|setup\.(py|cfg)|\.npmrc|\.pypirc|[\w.-]+\.lock)$/i;

/** An API description (OpenAPI, Swagger, AsyncAPI) lists servers that clients may call, not this code's calls. */
export function isApiSpec(file: SourceFile): boolean {
  return (
    /(^|[-_.])(openapi|swagger|asyncapi)([-_.]|$)/i.test(file.base) ||
    (/^(json|ya?ml)$/.test(file.ext) && /^\s*["']?(openapi|swagger|asyncapi)["']?\s*:/m.test(file.text.slice(0, 2000)))
  );
}

// Documentation folders hold examples and generated reports (a report lists every URL it found).
const DOCS_DIR = /(^|\/)(docs?|documentation|examples?|samples?)\//i;

/** Files whose URLs are read by their own readers (compose, manifests) or are never dependencies. */
export function skipForDependencies(file: SourceFile): boolean {
  return file.isTest || DOCS_DIR.test(file.rel) || isCompose(file) || isManifest(file) || isNginxConf(file) || BUILD_FILE.test(file.base) || isApiSpec(file);
}

/** Scans a file's text for URLs and host:port pairs. */
export function scanFile(file: SourceFile, owner: string, services: Service[]): Dependency[] {
  if (skipForDependencies(file)) return [];
  const style = file.language === 'html' || file.ext === 'json' ? null : 'strip';
  const code = style ? codeOf(file) : file.text;
  const lines = code.split('\n');
  const out: Dependency[] = [];
  const add = (line: number, col: number, target: string, scheme: string | null, host: string | null, port: number | null) => {
    if (host && IGNORED_HOSTS.test(host)) return;
    const r = resolveTarget(host, port, scheme, services);
    // In HTML only calls to our own services matter; links to the web are not dependencies.
    if (file.language === 'html' && r.kind === 'external') return;
    const env = envOnLine(lines[line - 1] ?? '', col);
    const dep: Dependency = { from: owner, file: file.rel, line, target, scheme, host, port, kind: r.kind, resolved: r.resolved, name: r.name };
    if (env) dep.env = env;
    out.push(dep);
  };
  for (const { m, line } of matchesWithLine(code, new RegExp(URL_RE.source, 'g'))) {
    const scheme = m[1].toLowerCase();
    const u = parseUrl(scheme, m[2]);
    // `new URL(path, 'http://localhost')` is a parsing base, not a connection.
    if (!u.host || (LOOPBACK.has(u.host) && u.port === null)) continue;
    add(line, m.index - code.lastIndexOf('\n', m.index) - 1, u.masked, scheme, u.host, u.port);
  }
  for (const { m, line } of matchesWithLine(code, new RegExp(PAIR_RE.source, 'g'))) {
    const host = m[1];
    const known = LOOPBACK.has(host) || services.some((s) => s.name === host);
    if (!known) continue;
    add(line, m.index - code.lastIndexOf('\n', m.index) - 1, `${host}:${m[2]}`, null, host, Number(m[2]));
  }
  for (const { m, line } of matchesWithLine(code, new RegExp(ENV_HOST_RE.source, 'g'))) {
    const host = m[2];
    if (LOOPBACK.has(host)) continue;
    const prefix = m[1].replace(/_(HOST|HOSTNAME|ADDR)$/, '');
    const portDef = new RegExp(`${prefix}_PORT['"]?\\s*(?:\\|\\||\\?\\?|,|:-)\\s*['"]?(\\d{2,5})`).exec(code)?.[1];
    const port = portDef ? Number(portDef) : null;
    add(line, m.index - code.lastIndexOf('\n', m.index) - 1, port ? `${host}:${port}` : host, null, host, port);
    out[out.length - 1].env = m[1];
  }
  return out;
}

/** A URL or `host:port` as a dependency of `from`; null when the host is unknown or a template. */
function targetDependency(from: string, file: string, line: number, value: string, services: Service[], env?: string): Dependency | null {
  const url = /^([a-z][a-z0-9+]*):\/\/(.+)$/.exec(value);
  const pair = url ? null : /^([a-z][\w.-]*):(\d{2,5})$/i.exec(value);
  if (!url && !pair) return null;
  const scheme = url ? url[1].toLowerCase() : null;
  const u = url ? parseUrl(scheme as string, url[2]) : { host: pair?.[1] ?? null, port: Number(pair?.[2]), masked: value };
  if (!u.host || /[${}]/.test(u.host)) return null;
  return {
    from,
    file,
    line,
    target: u.masked,
    scheme,
    host: u.host,
    port: u.port,
    ...(env ? { env } : {}),
    ...resolveTarget(u.host, u.port, scheme, services),
  };
}

/** nginx proxy_pass/grpc_pass targets (upstreams expanded, variables filled in). */
export function passDependencies(file: SourceFile, owner: string, passes: PassTarget[], services: Service[]): Dependency[] {
  return passes.map((p) => targetDependency(owner, file.rel, p.line, p.url, services, p.env)).filter((d): d is Dependency => d !== null);
}

/** Names a bare `host:port` may use: a service, compose service or workload name, exactly. */
function serviceNames(services: Service[]): Set<string> {
  return new Set(
    services
      .flatMap((s) => [s.name, ...(s.sources ?? []).map((x) => x.name ?? '')])
      .filter(Boolean)
      .map((n) => n.toLowerCase()),
  );
}

export function composeDependencies(compose: ComposeService[], services: Service[], vars: Record<string, string> = {}): Dependency[] {
  const out: Dependency[] = [];
  const names = serviceNames(services);
  // The compose service's name in the inventory (it may carry a " (compose)" suffix).
  const nameOf = (c: ComposeService) => services.find((s) => s.sources?.some((x) => x.name === c.name && x.file === c.file))?.name ?? c.name;
  for (const c of compose) {
    for (const [key, raw] of Object.entries(c.env)) {
      const value = substitute(raw, { ...vars, ...c.env });
      for (const m of value.matchAll(new RegExp(URL_RE.source, 'g'))) {
        const u = parseUrl(m[1].toLowerCase(), m[2]);
        if (!u.host) continue;
        out.push({
          from: nameOf(c),
          file: c.file,
          line: c.envLines[key] ?? c.line,
          target: u.masked,
          scheme: m[1].toLowerCase(),
          host: u.host,
          port: u.port,
          env: key,
          ...resolveTarget(u.host, u.port, m[1].toLowerCase(), services),
        });
      }
      // `cartservice:7070`, `kafka:9092,zookeeper:2181`: kept only when the host is a service's name.
      for (const part of value.split(/[,\s]+/)) {
        const pair = /^([a-z][\w.-]*):(\d{2,5})$/i.exec(part);
        if (!pair || !names.has(pair[1].toLowerCase())) continue;
        const d = targetDependency(nameOf(c), c.file, c.envLines[key] ?? c.line, part, services, key);
        if (d) out.push(d);
      }
    }
    // A command line that names another service (`locust --host http://ads:8080`).
    for (const m of (c.command ?? '').matchAll(new RegExp(URL_RE.source, 'g'))) {
      const d = targetDependency(nameOf(c), c.file, c.line, `${m[1]}://${m[2]}`, services);
      if (d && d.kind !== 'unresolved') out.push(d);
    }
    for (const d of c.dependsOn) {
      out.push({ from: nameOf(c), file: c.file, line: c.line, target: d, scheme: null, host: d, port: null, ...resolveTarget(d, null, null, services) });
    }
  }
  return out;
}

/** One entry per (from, target, env): the first place it is written. */
export function dedupe(deps: Dependency[]): Dependency[] {
  const seen = new Set<string>();
  return deps.filter((d) => {
    const key = `${d.from}|${d.target}|${d.env ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
