// Existing container definitions: Dockerfiles (EXPOSE, CMD, HEALTHCHECK) and compose files.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseLaunches } from './commands.ts';
import { shorten } from './facts.ts';
import type { PortValue, SourceFile } from './types.ts';

export interface DockerfileFacts {
  file: string;
  dir: string;
  images: string[];
  ports: PortValue[];
  cmd: string | null;
  cmdLine: number;
  cmdFrom?: string;
  /** Files the CMD starts, as written. */
  targets: string[];
  health: string | null;
  env: string[];
  /** ENV and ARG values of the last stage, for filling in `${VAR}` in files the image uses. */
  envValues: Record<string, string>;
}

export interface ComposeService {
  name: string;
  file: string;
  line: number;
  image: string | null;
  build: string | null;
  ports: PortValue[];
  env: Record<string, string>;
  dependsOn: string[];
  health: string | null;
  command: string | null;
  /** Host folders mounted into the container (relative to the scanned root): their files are its config. */
  mounts: string[];
  /** Line of each environment key, for precise references. */
  envLines: Record<string, number>;
  /** Other compose files that also define this service. */
  overlays: string[];
  /** Where it was declared: a compose file (the default) or a Kubernetes manifest. */
  origin?: 'compose' | 'kubernetes';
}

export const isDockerfile = (f: SourceFile) => /^dockerfile(\.[\w-]+)?$|\.dockerfile$/i.test(f.base) && !/\.dockerignore$/i.test(f.base);
// docker-compose.yml, compose.prod.yaml, docker-compose-load.yaml, docker-compose.api-gateway.yml
export const isCompose = (f: SourceFile) => /^(docker-)?compose([.-][\w-]+)*\.ya?ml$/i.test(f.base);

/** `${VAR:-default}` / `$VAR` / literal, as a port value. */
function portFrom(text: string, vars: Record<string, string>, file: string, line: number): Omit<PortValue, 'published'> {
  const t = text.trim().replace(/\/(tcp|udp)$/, '');
  const v = /^\$\{?(\w+)(?::?-([^}]*)|:?\?[^}]*)?\}?$/.exec(t);
  if (v) {
    const def = v[2] ?? vars[v[1]];
    return { port: def && /^\d+$/.test(def) ? Number(def) : null, source: 'env', env: v[1], file, line };
  }
  return { port: /^\d+$/.test(t) ? Number(t) : null, source: /^\d+$/.test(t) ? 'literal' : 'unknown', file, line };
}

function healthPath(text: string): string | null {
  return /https?:\/\/[^/\s'"]+(\/[\w/.-]*)/.exec(text)?.[1] ?? /\s(\/(?:health|healthz|ready|ping)\w*)/.exec(text)?.[1] ?? null;
}

export function analyzeDockerfile(file: SourceFile): DockerfileFacts {
  const lines = file.text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const rawLines = file.text.split(/\r?\n/);
  const lineOf = (needle: string) => Math.max(1, rawLines.findIndex((l) => l.trimStart().toUpperCase().startsWith(needle)) + 1);
  const vars: Record<string, string> = {};
  const facts: DockerfileFacts = {
    file: file.rel,
    dir: file.dir,
    images: [],
    ports: [],
    cmd: null,
    cmdLine: 0,
    targets: [],
    health: null,
    env: [],
    envValues: {},
  };
  for (const l of lines) {
    const m = /^\s*(\w+)\s+(.*)$/.exec(l);
    if (!m) continue;
    const [, instr, rest] = [m[0], m[1].toUpperCase(), m[2].trim()];
    if (instr === 'FROM') {
      // Each stage starts afresh; the last stage is the image that runs.
      facts.images.push(rest.replace(/^--platform=\S+\s*/, '').split(/\s+/)[0]);
      facts.ports = [];
      facts.cmd = null;
      facts.health = null;
    }
    if (instr === 'ARG' || instr === 'ENV') {
      for (const kv of rest.matchAll(/(\w+)(?:=|\s+)("[^"]*"|\S+)?/g)) {
        vars[kv[1]] = (kv[2] ?? '').replace(/^"|"$/g, '');
        if (instr === 'ENV') facts.env.push(kv[1]);
        if (instr === 'ENV' && rest.includes(' ') && !rest.includes('=')) break;
      }
    }
    if (instr === 'EXPOSE') {
      const at = lineOf('EXPOSE');
      for (const p of rest.split(/\s+/).slice(0, 50)) facts.ports.push(portFrom(p, vars, file.rel, at));
    }
    if (instr === 'CMD' || instr === 'ENTRYPOINT') {
      let cmd = rest;
      try {
        if (rest.startsWith('[')) cmd = (JSON.parse(rest) as string[]).join(' ');
      } catch {
        // Not JSON: shell form, kept as written.
      }
      // ENTRYPOINT then CMD: CMD is the entrypoint's arguments.
      facts.cmd = facts.cmd && instr === 'CMD' && facts.cmdFrom === 'ENTRYPOINT' ? `${facts.cmd} ${cmd}` : cmd;
      facts.cmdFrom = instr;
      facts.cmdLine = lineOf(instr);
    }
    // No URL in the check (a script): the check itself is what the report can name.
    if (instr === 'HEALTHCHECK' && !/^NONE\b/i.test(rest))
      facts.health =
        healthPath(rest) ??
        `HEALTHCHECK ${shorten(
          rest
            .replace(/^(--\S+\s+)*CMD\s+/i, '')
            .replace(/[[\]"]/g, '')
            .replace(/,\s*/g, ' '),
          60,
        )}`;
  }
  if (facts.cmd) for (const l of parseLaunches(facts.cmd)) if (l.target) facts.targets.push(l.target);
  facts.env.sort();
  facts.envValues = vars;
  return facts;
}

function composePorts(entry: unknown, file: string, line: number): PortValue | null {
  if (typeof entry === 'number') return { port: entry, source: 'literal', file, line, published: { port: entry, address: '0.0.0.0' } };
  if (typeof entry === 'object' && entry !== null) {
    const e = entry as { target?: number | string; published?: number | string; host_ip?: string };
    const target = portFrom(String(e.target ?? ''), {}, file, line);
    const pub = e.published !== undefined ? portFrom(String(e.published), {}, file, line) : null;
    return { ...target, ...(pub ? { published: { port: pub.port, ...(pub.env ? { env: pub.env } : {}), address: e.host_ip ?? '0.0.0.0' } } : {}) };
  }
  if (typeof entry !== 'string') return null;
  // [ip:]host:container[/proto], where each part may be ${VAR:-default}.
  const parts = entry.match(/\$\{[^}]*\}|[^:]+/g) ?? [];
  const container = portFrom(parts[parts.length - 1] ?? '', {}, file, line);
  if (parts.length === 1) return container;
  const host = portFrom(parts[parts.length - 2] ?? '', {}, file, line);
  const address = parts.length >= 3 ? (parts[0] ?? '0.0.0.0') : '0.0.0.0';
  return { ...container, published: { port: host.port, ...(host.env ? { env: host.env } : {}), address } };
}

/** Hand-written YAML has short lines; a longer one is generated data the YAML parser would crawl through. */
export const MAX_YAML_LINE = 10_000;

export function longestLine(text: string): number {
  let longest = 0;
  for (let at = 0; at < text.length;) {
    const end = text.indexOf('\n', at);
    const stop = end < 0 ? text.length : end;
    longest = Math.max(longest, stop - at);
    at = stop + 1;
  }
  return longest;
}

export function analyzeCompose(file: SourceFile): { services: ComposeService[]; error: string | null } {
  if (longestLine(file.text) > MAX_YAML_LINE) return { services: [], error: `a line longer than ${MAX_YAML_LINE} characters: not read as YAML` };
  let doc: unknown;
  try {
    doc = parseYaml(file.text);
  } catch (err) {
    return { services: [], error: `not valid YAML (${shorten((err as Error).message, 60)})` };
  }
  const services = (doc as { services?: Record<string, unknown> } | null)?.services;
  if (!services || typeof services !== 'object') return { services: [], error: null };
  const lines = file.text.split('\n');
  const out: ComposeService[] = [];
  for (const [name, raw] of Object.entries(services)) {
    const s = (raw ?? {}) as Record<string, unknown>;
    const line = Math.max(1, lines.findIndex((l) => new RegExp(`^\\s{2,4}${name.replace(/[.-]/g, '\\$&')}:`).test(l)) + 1);
    const env: Record<string, string> = {};
    if (Array.isArray(s.environment)) {
      for (const kv of s.environment as string[]) {
        const [k, ...v] = String(kv).split('=');
        env[k] = v.join('=');
      }
    } else if (s.environment && typeof s.environment === 'object') {
      for (const [k, v] of Object.entries(s.environment as Record<string, unknown>)) env[k] = v === null ? '' : String(v);
    }
    const ports = [...((s.ports as unknown[]) ?? []), ...((s.expose as unknown[]) ?? []).map((p) => String(p))]
      .map((p) => composePorts(p, file.rel, line))
      .filter((p): p is PortValue => p !== null);
    // The service's folder: where its Dockerfile is (context ./services + memory-api/Dockerfile).
    const b = s.build as { context?: string; dockerfile?: string } | string | undefined;
    // An overlay (compose.dev.yml) may set only `target`: the base file gives the context.
    const context = typeof b === 'string' ? b : (b?.context ?? null);
    const dockerfile = typeof b === 'object' && typeof b.dockerfile === 'string' ? b.dockerfile : null;
    const build = context === null ? null : dockerfile && dockerfile.includes('/') ? path.posix.join(context, path.posix.dirname(dockerfile)) : context;
    const dependsOn = Array.isArray(s.depends_on) ? (s.depends_on as string[]) : Object.keys((s.depends_on as object) ?? {});
    const hc = (s.healthcheck as { test?: string | string[] } | undefined)?.test;
    const command = Array.isArray(s.command) ? (s.command as string[]).join(' ') : typeof s.command === 'string' ? s.command : null;
    const mounts = ((s.volumes as unknown[]) ?? [])
      .map((v) =>
        typeof v === 'string' ? v.split(':')[0] : (v as { source?: string; type?: string })?.type === 'bind' ? ((v as { source?: string }).source ?? '') : '',
      )
      .filter((src) => /^\.\.?\//.test(src))
      .map((src) => path.posix.normalize(path.posix.join(file.dir, src)));
    const envLines: Record<string, number> = {};
    for (const key of Object.keys(env)) {
      const at = lines.findIndex((l, i) => i >= line && new RegExp(`^\\s+-?\\s*['"]?${key}['"]?\\s*[:=]`).test(l));
      envLines[key] = at >= 0 ? at + 1 : line;
    }
    out.push({
      mounts,
      envLines,
      overlays: [],
      name,
      file: file.rel,
      line,
      image: typeof s.image === 'string' ? s.image : null,
      build: build === null ? null : path.posix.normalize(path.posix.join(file.dir, build)),
      ports,
      env,
      dependsOn: dependsOn.sort(),
      health: hc ? healthPath(Array.isArray(hc) ? hc.join(' ') : hc) : null,
      command,
    });
  }
  return { services: out, error: null };
}

/** Overlay files (compose.yml + compose.prod.yml) describe the same services: one entry per name. */
export function mergeCompose(all: ComposeService[]): ComposeService[] {
  const byName = new Map<string, ComposeService>();
  // The base file first (docker-compose.yml, compose.yaml), then overlays in name order. The first
  // definition describes the service; overlays (dev, prod) are named, not merged, because what they
  // change (a debug port, a reload command) applies only when that overlay is used.
  const isBase = (f: string) => /(^|\/)(docker-)?compose\.ya?ml$/.test(f);
  const ordered = [...all].sort((x, y) => Number(isBase(y.file)) - Number(isBase(x.file)) || x.file.localeCompare(y.file));
  for (const c of ordered) {
    const prev = byName.get(c.name);
    if (prev) {
      if (!prev.overlays.includes(c.file)) prev.overlays.push(c.file);
      prev.mounts = [...new Set([...prev.mounts, ...c.mounts])];
    } else byName.set(c.name, { ...c, overlays: [] });
  }
  return [...byName.values()];
}
