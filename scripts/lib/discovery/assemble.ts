// Services that are not code entry points (scripts, containers, compose services, static sites,
// unsupported languages), and unique names for all of them.
import path from 'node:path';
import { DATASTORE_IMAGES, IMAGE_PORTS } from './catalog.ts';
import { serviceForFile, type Analysis } from './services.ts';
import { parseLaunches } from './commands.ts';
import type { BindValue, PortValue, Service } from './types.ts';

/** A service row with every field a reader did not find at its empty value (also the tests' one row builder). */
export function blankService(partial: Partial<Service> & Pick<Service, 'name' | 'kind' | 'language' | 'entry' | 'dir' | 'reason'>): Service {
  return {
    framework: null,
    ports: [],
    bind: null,
    start: null,
    dependencies: { declared: [], imported: [] },
    env: [],
    health: null,
    status: 'not probed',
    files: [partial.entry],
    ...partial,
  };
}

export function scriptServices(a: Analysis, code: Service[]): Service[] {
  const out: Service[] = [];
  for (const sh of a.shells) {
    // Also a script that runs a program found to be a server (`python3 app.py`).
    const startsServer = sh.launches.some((l) => serviceForFile(code, l.resolved)?.kind === 'server');
    if (!sh.isStartStop && !startsServer) continue;
    sh.isStartStop = true;
    const launches = sh.launches.map((l) => ({
      command: l.command,
      line: l.line,
      // Named after naming (see linkLaunches); until then the resolved file.
      target: l.resolved,
    }));
    out.push(
      blankService({
        name: sh.file,
        kind: 'script',
        language: 'shell',
        entry: sh.file,
        dir: path.posix.dirname(sh.file),
        reason: `starts or stops: ${sh.launches
          .map((l) => l.kind)
          .filter((k, i, all) => all.indexOf(k) === i)
          .join(', ')}`,
        launches,
        start: `./${path.posix.basename(sh.file)}`,
      }),
    );
    // `python3 -m http.server 8000` in a script is itself a listening service.
    for (const l of sh.launches.filter((x) => x.kind === 'http.server')) {
      out.push(
        blankService({
          name: '',
          kind: 'server',
          language: 'python',
          framework: 'http.server',
          entry: sh.file,
          dir: path.posix.dirname(sh.file),
          reason: `${l.command} at ${sh.file}:${l.line}`,
          start: l.command,
          ports: [{ port: l.port, source: 'literal', file: sh.file, line: l.line }],
          bind: { address: l.host ?? '0.0.0.0', source: l.host ? 'literal' : 'framework-default', file: sh.file, line: l.line },
        }),
      );
    }
  }
  return out;
}

/** Script launches point at the services they start, by name. */
export function linkLaunches(services: Service[]): void {
  for (const s of services) {
    for (const l of s.launches ?? []) if (l.target) l.target = serviceForFile(services, l.target)?.name ?? l.target;
  }
}

/**
 * The port and address a command serves on (`flask run --host=0.0.0.0`, `uvicorn app:app --port
 * 8000`, `gunicorn -b :8080`), with `FLASK_RUN_HOST`/`FLASK_RUN_PORT` from the environment it gets
 * (a Dockerfile's ENV, a compose service's environment).
 */
export function commandServes(cmd: string | null, env: Record<string, string>, file: string, line: number): { port: PortValue; bind: BindValue } | null {
  const l = cmd ? parseLaunches(cmd).find((x) => ['flask', 'uvicorn', 'gunicorn', 'hypercorn'].includes(x.framework ?? '')) : undefined;
  if (!cmd || !l || l.port === null) return null;
  const flaskPort = l.framework === 'flask' && !/--port|-p\b/.test(cmd) ? env.FLASK_RUN_PORT : undefined;
  const flaskHost = l.framework === 'flask' && !/--host|-h\b/.test(cmd) ? env.FLASK_RUN_HOST : undefined;
  const at = { file, line: line || 1 };
  const port: PortValue =
    flaskPort && /^\d+$/.test(flaskPort)
      ? { port: Number(flaskPort), source: 'env', env: 'FLASK_RUN_PORT', ...at }
      : { port: l.port, source: 'literal', ...at };
  const bind: BindValue = flaskHost
    ? { address: flaskHost, source: 'env', env: 'FLASK_RUN_HOST', ...at }
    : { address: l.host ?? '0.0.0.0', source: 'literal', ...at };
  return { port, bind };
}

export function containerServices(a: Analysis): Service[] {
  return a.dockerfiles.map((d) => {
    const serves = commandServes(d.cmd, d.envValues, d.file, d.cmdLine);
    const ports = serves && !d.ports.some((p) => p.port === serves.port.port) ? [serves.port, ...d.ports] : d.ports;
    return blankService({
      name: '',
      kind: 'container',
      language: 'docker',
      framework: d.images[d.images.length - 1] ?? null,
      entry: d.file,
      dir: d.dir,
      reason: `Dockerfile ${d.file}`,
      ports,
      start: d.cmd,
      health: d.health,
      env: d.env,
      image: d.images[d.images.length - 1] ?? null,
      bind: serves?.bind ?? null,
      sources: [{ kind: 'container', file: d.file, line: 1 }],
    });
  });
}

export function composeServices(a: Analysis): Service[] {
  const imagePort = (c: Analysis['compose'][number]): PortValue[] => {
    // `command: uvicorn app:app --port 8000` says where it listens even when `ports:` does not.
    const serves = commandServes(c.command, c.env, c.file, c.line);
    if (serves && !c.ports.some((p) => p.port === serves.port.port)) return [serves.port, ...c.ports];
    const port = c.image && !c.build && !c.ports.length ? IMAGE_PORTS.find(([re]) => re.test(c.image ?? ''))?.[1] : undefined;
    return port ? [{ port, source: 'framework-default' as const, file: c.file, line: c.line }] : c.ports;
  };
  return a.compose.map((c) =>
    blankService({
      sources: [{ kind: c.origin === 'kubernetes' ? 'manifest' : 'compose', file: c.file, line: c.line, name: c.name, ...(c.build ? { build: c.build } : {}) }],
      name: c.name,
      kind: 'compose',
      language: c.origin === 'kubernetes' ? 'kubernetes' : 'compose',
      framework: c.image ? (c.image.split('/').pop()?.split(':')[0] ?? null) : 'build',
      entry: c.file,
      dir: c.build ?? path.posix.dirname(c.file),
      reason: `${c.origin === 'kubernetes' ? 'workload' : 'service'} "${c.name}" in ${c.file}:${c.line}${c.overlays.length ? ` (overlays: ${c.overlays.join(', ')})` : ''}`,
      ports: imagePort(c),
      start: c.command,
      health: c.health,
      env: Object.keys(c.env).sort(),
      image: c.image,
      bind: c.ports.find((p) => p.published)?.published
        ? { address: c.ports.find((p) => p.published)?.published?.address ?? '0.0.0.0', source: 'config', file: c.file, line: c.line }
        : null,
    }),
  );
}

export function staticServices(a: Analysis, code: Service[]): Service[] {
  // A folder served by `python3 -m http.server --directory site` in a script: that server is listed
  // on its own (with the port), the site names it.
  for (const sh of a.shells) {
    for (const l of sh.launches.filter((x) => x.kind === 'http.server' && x.target)) {
      const dir = path.posix.normalize(path.posix.join(path.posix.dirname(sh.file), l.target as string));
      const site = a.sites.find((s) => s.dir === dir || path.posix.dirname(s.entry) === dir);
      if (site && !site.servedBy) site.servedBy = `python http.server (${sh.file}:${l.line}, port ${l.port})`;
    }
  }
  // A Node frontend app (next, vite...) in the same folder is already listed as a server.
  return a.sites
    .filter((site) => !code.some((s) => s.dir === site.dir && s.kind === 'server'))
    .map((site) =>
      blankService({
        name: '',
        kind: 'static',
        language: 'html',
        framework: site.servedBy,
        entry: site.entry,
        dir: site.dir,
        start: a.dockerfiles.find((d) => d.dir === site.dir && d.cmd) ? `${a.dockerfiles.find((d) => d.dir === site.dir)?.cmd} (${site.dir}/Dockerfile)` : null,
        reason: `index.html in ${site.dir}${site.servedBy ? `, served by ${site.servedBy}` : ', no server configured'}`,
        ports: site.ports,
        health: site.health,
      }),
    );
}

export function unsupportedServices(a: Analysis): Service[] {
  const groups = new Map<string, Service>();
  for (const hit of a.unsupported) {
    const key = `${hit.dir}|${hit.language}`;
    // One row per folder and language; the file whose port is known describes it best.
    if (groups.has(key) && (groups.get(key)?.ports.length || !hit.port)) continue;
    const at = hit.portAt;
    groups.set(
      key,
      blankService({
        name: '',
        kind: 'unsupported',
        language: hit.language,
        entry: hit.file,
        dir: hit.dir,
        framework: at?.framework ?? null,
        reason: `${hit.reason} (language not analysed: ${hit.language})`,
        ports:
          hit.port || at?.env
            ? [{ port: hit.port, source: at?.source ?? 'literal', file: at?.file ?? hit.file, line: at?.line ?? hit.line, ...(at?.env ? { env: at.env } : {}) }]
            : [],
      }),
    );
  }
  return [...groups.values()];
}

const KIND_ORDER = ['server', 'program', 'static', 'unsupported', 'compose', 'container', 'script'];

/** Names people would use: package name, else folder, else file stem; unique across the inventory. */
export function nameServices(services: Service[], rootName: string): void {
  const byDir = new Map<string, number>();
  for (const s of services) if (['server', 'program', 'static', 'unsupported'].includes(s.kind)) byDir.set(s.dir, (byDir.get(s.dir) ?? 0) + 1);
  for (const s of services) {
    if (s.name) continue;
    const stem = path.posix.basename(s.entry).replace(/\.[^.]+$/, '');
    const dirName = s.dir === '.' ? rootName : path.posix.basename(s.dir);
    if (s.kind === 'container') s.name = dirName;
    else if (s.kind === 'static') s.name = dirName;
    // Generic entry names (server.py, main.ts) say nothing: the folder names the service.
    else if (/^(main|app|server|index|__main__|run|start|wsgi|asgi|service)$/.test(stem) && (byDir.get(s.dir) ?? 0) <= 1 && s.dir !== '.') s.name = dirName;
    else s.name = (byDir.get(s.dir) ?? 0) > 1 || s.dir === '.' || s.kind === 'program' ? stem : dirName;
  }
  const sorted = [...services].sort((x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind));
  const taken = new Set<string>();
  for (const s of sorted) {
    let name = s.name;
    if (taken.has(name))
      name =
        s.kind === 'server' || s.kind === 'program'
          ? `${s.dir === '.' ? rootName : path.posix.basename(s.dir)}-${path.posix.basename(s.entry).replace(/\.[^.]+$/, '')}`
          : `${s.name} (${s.kind === 'container' ? 'Dockerfile' : s.kind})`;
    for (let i = 2; taken.has(name); i++) name = `${s.name}-${i}`;
    taken.add(name);
    s.name = name;
  }
}

export function isDatastoreImage(image: string | null | undefined): string | null {
  return image ? (DATASTORE_IMAGES.find(([re]) => re.test(image))?.[1] ?? null) : null;
}
