// Python: Flask/Quart/Sanic app.run, uvicorn, aiohttp, http.server/socketserver, wsgiref, websockets,
// asyncio and raw sockets; env reads, imports and `__main__` programs.
import path from 'node:path';
import { findHealth, findMetrics, MAX_CALLS, shorten, uniqSorted, type FileFacts, type Listener, type Wrapper } from './facts.ts';
import { balanced, codeOf, lineAt, splitAddress, splitArgs } from './text.ts';
import type { BindValue, PortValue, SourceFile } from './types.ts';
import { asPort, resolvePy, type Resolved } from './values.ts';
import { PY_STDLIB } from './pystdlib.ts';

import { CALLS, type CallSpec } from './python-servers.ts';

function portValue(r: Resolved | null, file: SourceFile, line: number, def: number | null): PortValue | null {
  if (!r) return def === null ? null : { port: def, source: 'framework-default', file: file.rel, line };
  const v: PortValue = { port: asPort(r), source: r.source, file: file.rel, line: r.line ?? line };
  if (r.env) v.env = r.env;
  return v;
}

function bindValue(r: Resolved | null, file: SourceFile, line: number, def: string): BindValue {
  if (!r) return { address: def, source: 'framework-default', file: file.rel, line };
  // "" means every interface for Python's socket APIs.
  const address = r.value === '' ? '0.0.0.0' : (r.value ?? (r.env ? `$${r.env}` : '?'));
  const v: BindValue = { address, source: r.source, file: file.rel, line: r.line ?? line };
  if (r.env) v.env = r.env;
  return v;
}

function argsOf(args: string[]): { positional: string[]; keywords: Map<string, string> } {
  const positional: string[] = [];
  const keywords = new Map<string, string>();
  for (const a of args) {
    const kw = /^(\w+)\s*=(?!=)\s*(.+)$/s.exec(a);
    if (kw) keywords.set(kw[1], kw[2]);
    else positional.push(a);
  }
  return { positional, keywords };
}

/** The `def` a position is inside of, with its parameter names. */
export function enclosingDef(code: string, index: number): { name: string; params: string[] } | null {
  const lineStart = code.lastIndexOf('\n', index) + 1;
  const indent = /^[ \t]*/.exec(code.slice(lineStart))?.[0].length ?? 0;
  const defs = [...code.slice(0, lineStart).matchAll(/^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(/gm)];
  for (let i = defs.length - 1; i >= 0; i--) {
    const d = defs[i];
    if (d[1].length >= indent) continue;
    const inner = balanced(code, (d.index ?? 0) + d[0].length - 1) ?? '';
    const params = splitArgs(inner)
      .map((p) => p.replace(/^\*+/, '').split(/[:=]/)[0].trim())
      .filter((p) => p && p !== 'self' && p !== 'cls');
    return { name: d[2], params };
  }
  return null;
}

/** Resolves a call's host/port, or says it is a wrapper whose callers give them. */
export function hostPortAt(
  code: string,
  index: number,
  hostExpr: string | undefined,
  portExpr: string | undefined,
): { host: Resolved | null; port: Resolved | null; wrapper: { name: string; params: string[]; hostAt: number; portAt: number } | null } {
  const host = hostExpr ? resolvePy(hostExpr, code) : null;
  const port = portExpr ? resolvePy(portExpr, code) : null;
  if (port && port.source === 'unknown' && portExpr && /^\w+$/.test(portExpr.trim())) {
    const def = enclosingDef(code, index);
    const portAt = def ? def.params.indexOf(portExpr.trim()) : -1;
    if (def && portAt >= 0) {
      const hostAt = hostExpr && host?.source === 'unknown' ? def.params.indexOf(hostExpr.trim()) : -1;
      return { host, port, wrapper: { name: def.name, params: def.params, hostAt, portAt } };
    }
  }
  return { host, port, wrapper: null };
}

function findListeners(file: SourceFile, code: string, debug: FileFacts['debug'], wrappers: Wrapper[]): Listener[] {
  const out: Listener[] = [];
  const push = (
    index: number,
    call: string,
    fw: string,
    host: Resolved | null,
    port: Resolved | null,
    spec: Pick<CallSpec, 'defaultHost' | 'defaultPort'>,
    hostExpr?: string,
    portExpr?: string,
  ) => {
    const line = lineAt(code, index);
    if (portExpr !== undefined) {
      const hp = hostPortAt(code, index, hostExpr, portExpr);
      if (hp.wrapper) {
        wrappers.push({ ...hp.wrapper, file: file.rel, line, framework: fw, defaultHost: spec.defaultHost });
        return;
      }
    }
    out.push({
      file: file.rel,
      line,
      call: shorten(call),
      framework: fw,
      port: portValue(port, file, line, spec.defaultPort),
      bind: bindValue(host, file, line, spec.defaultHost),
    });
  };
  const apps = new Map<string, string>();
  for (const m of code.matchAll(/^\s*(\w+)\s*=\s*(Flask|Quart|Sanic|FastAPI|Starlette|Bottle|SocketIO)\s*\(/gm)) apps.set(m[1], m[2].toLowerCase());
  let served = false;
  for (const [name, fw] of apps) {
    const re = new RegExp(`\\b${name}\\.run\\s*\\(`, 'g');
    for (let m = re.exec(code), n = 0; m && n < MAX_CALLS; m = re.exec(code), n++) {
      const inner = balanced(code, m.index + m[0].length - 1) ?? '';
      const { positional, keywords } = argsOf(splitArgs(inner));
      const hostExpr = keywords.get('host') ?? (fw === 'socketio' ? undefined : positional[0]);
      const portExpr = keywords.get('port') ?? (fw === 'socketio' ? undefined : positional[1]);
      // Flask's development server binds 127.0.0.1:5000 unless told otherwise.
      const defaults = fw === 'sanic' ? { defaultHost: '127.0.0.1', defaultPort: 8000 } : { defaultHost: '127.0.0.1', defaultPort: 5000 };
      push(
        m.index,
        `${name}.run(${inner})`,
        fw,
        hostExpr ? resolvePy(hostExpr, code) : null,
        portExpr ? resolvePy(portExpr, code) : null,
        defaults,
        hostExpr,
        portExpr,
      );
      const dbg = keywords.get('debug');
      if (dbg && /^True$|^1$/.test(dbg.trim())) debug.push({ line: lineAt(code, m.index), what: `${name}.run(debug=True)` });
      served = true;
    }
  }
  // `class GalaxyServer(ThreadingHTTPServer)`: constructing the subclass starts a server too.
  const subclasses = [...code.matchAll(/^\s*class\s+(\w+)\s*\(\s*(?:[\w.]*\.)?(?:Threading)?(?:HTTP|TCP|UDP)Server\s*\)/gm)].map((m) => m[1]);
  const specs: CallSpec[] = subclasses.length
    ? [
        ...CALLS,
        {
          re: new RegExp(`\\b(?:${subclasses.join('|')})\\s*\\(`, 'g'),
          framework: 'http.server',
          hostAt: -1,
          portAt: -1,
          defaultHost: '0.0.0.0',
          defaultPort: null,
          tupleAt: 0,
        },
      ]
    : CALLS;
  for (const spec of specs) {
    if (spec.requires && !spec.requires.test(code)) continue;
    spec.re.lastIndex = 0;
    for (let m = spec.re.exec(code), n = 0; m && n < MAX_CALLS; m = spec.re.exec(code), n++) {
      const open = code.indexOf('(', m.index);
      const inner = balanced(code, open) ?? '';
      const { positional, keywords } = argsOf(splitArgs(inner));
      let hostExpr = keywords.get('host');
      let portExpr = keywords.get('port');
      if (spec.tupleAt !== undefined) {
        const tuple = positional[spec.tupleAt];
        if (!tuple?.startsWith('(')) {
          // `HTTPServer(ADDR, Handler)` with `ADDR = ("", 8000)` defined elsewhere.
          const decl = tuple && new RegExp(`^\\s*${tuple}\\s*=\\s*(\\(.*\\))\\s*$`, 'm').exec(code);
          if (!decl) continue;
          [hostExpr, portExpr] = splitArgs(decl[1].slice(1, -1));
        } else [hostExpr, portExpr] = splitArgs(tuple.slice(1, -1));
      } else {
        if (spec.hostAt >= 0) hostExpr ??= positional[spec.hostAt];
        if (spec.portAt >= 0) portExpr ??= positional[spec.portAt];
      }
      push(
        m.index,
        code.slice(m.index, open) + `(${inner})`,
        spec.framework,
        hostExpr ? resolvePy(hostExpr, code) : null,
        portExpr ? resolvePy(portExpr, code) : null,
        spec,
        hostExpr,
        portExpr,
      );
      if (spec.framework === 'uvicorn' && /^True$/.test(keywords.get('reload')?.trim() ?? ''))
        debug.push({ line: lineAt(code, m.index), what: 'uvicorn.run(reload=True)' });
      served = true;
    }
  }
  // gRPC: `server.add_insecure_port("[::]:" + port)`; the port is inside the address.
  for (const m of [...code.matchAll(/\.add_(?:insecure|secure)_port\s*\(/g)].slice(0, MAX_CALLS)) {
    const inner = balanced(code, (m.index ?? 0) + m[0].length - 1) ?? '';
    const address = splitAddress(splitArgs(inner)[0] ?? '');
    const portExpr = address.port !== undefined ? String(address.port) : address.portExpr;
    if (portExpr === undefined) continue;
    const hostExpr = address.host === null ? undefined : `"${address.host.replace(/^\[|\]$/g, '').replace(/^::$/, '0.0.0.0')}"`;
    push(
      m.index ?? 0,
      `add_insecure_port(${shorten(inner, 40)})`,
      'grpc',
      hostExpr ? resolvePy(hostExpr, code) : null,
      resolvePy(portExpr, code),
      { defaultHost: '0.0.0.0', defaultPort: null },
      hostExpr,
      portExpr,
    );
    served = true;
  }
  // A raw socket server: sock.bind((host, port)) followed by listen().
  if (/\bimport socket\b|\bfrom socket import\b/.test(code) && /\.listen\s*\(/.test(code)) {
    for (const m of [...code.matchAll(/\.bind\s*\(\s*\(/g)].slice(0, MAX_CALLS)) {
      const inner = balanced(code, (m.index ?? 0) + m[0].length - 1) ?? '';
      const [h, p] = splitArgs(inner);
      if (p === undefined) continue;
      push(m.index ?? 0, `bind((${inner}))`, 'socket', resolvePy(h, code), resolvePy(p, code), { defaultHost: '0.0.0.0', defaultPort: null }, h, p);
      served = true;
    }
  }
  // An ASGI app with no server call in the file: served by uvicorn/gunicorn from a command line.
  for (const [name, fw] of apps) {
    if (served || (fw !== 'fastapi' && fw !== 'starlette')) continue;
    const index = code.search(new RegExp(`^\\s*${name}\\s*=`, 'm'));
    out.push({
      file: file.rel,
      line: lineAt(code, index),
      call: `${name} = ${fw === 'fastapi' ? 'FastAPI' : 'Starlette'}()`,
      framework: fw,
      port: null,
      bind: null,
    });
  }
  return out;
}

/** Resolves `import a.b` / `from .x import y` to scanned files. */
export function resolveLocalPy(fromRel: string, module: string, known: Set<string>, byModuleName: Map<string, string[]>): string | null {
  const dots = /^\.*/.exec(module)?.[0].length ?? 0;
  const rest = module.slice(dots).split('.').filter(Boolean);
  const tryIn = (dir: string) => {
    const p = path.posix.join(dir, ...rest);
    for (const c of [`${p}.py`, `${p}/__init__.py`]) if (known.has(path.posix.normalize(c))) return path.posix.normalize(c);
    return null;
  };
  let dir = path.posix.dirname(fromRel);
  if (dots > 0) {
    for (let i = 1; i < dots; i++) dir = path.posix.dirname(dir);
    return rest.length ? tryIn(dir) : null;
  }
  // Absolute imports: the file's folder and its parents (how scripts run from their own folder).
  for (;;) {
    const hit = tryIn(dir);
    if (hit) return hit;
    if (dir === '.' || dir === '') break;
    dir = path.posix.dirname(dir);
  }
  // A module added through sys.path or PYTHONPATH: a unique file of that name in the tree.
  const same = byModuleName.get(rest.join('.')) ?? [];
  return same.length === 1 && !PY_STDLIB.has(rest[0]) ? same[0] : null;
}

export function analyzePy(file: SourceFile, known: Set<string>, byModuleName: Map<string, string[]>): FileFacts {
  const code = codeOf(file);
  const localImports: string[] = [];
  const packages: string[] = [];
  const modules: string[] = [];
  for (const m of code.matchAll(/^[ \t]*import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)/gm)) modules.push(...m[1].split(',').map((s) => s.trim()));
  for (const m of code.matchAll(/^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import\b/gm)) modules.push(m[1]);
  for (const mod of modules) {
    const local = resolveLocalPy(file.rel, mod, known, byModuleName);
    if (local) localImports.push(local);
    else if (!mod.startsWith('.') && !PY_STDLIB.has(mod.split('.')[0])) packages.push(mod.split('.')[0]);
  }
  const env = new Set<string>();
  for (const m of code.matchAll(/\b(?:os\.environ\.get|os\.getenv|environ\.get|getenv)\(\s*['"](\w+)['"]|\b(?:os\.)?environ\[\s*['"](\w+)['"]\s*\]/g))
    env.add(m[1] ?? m[2]);
  const frameworks = uniqSorted(
    [
      ...code.matchAll(
        /^\s*(?:from|import)\s+(flask|fastapi|aiohttp|uvicorn|websockets|http\.server|socketserver|sanic|quart|starlette|bottle|waitress|django|tornado)\b/gm,
      ),
    ].map((m) => m[1]),
  );
  const debug: FileFacts['debug'] = [];
  const wrappers: Wrapper[] = [];
  const listeners = file.isTest ? [] : findListeners(file, code, debug, wrappers);
  for (const m of code.matchAll(/^\s*(?:\w+\.)?(DEBUG|debug)\s*=\s*True\b|\b\w+\.config\[\s*['"]DEBUG['"]\s*\]\s*=\s*True/gm)) {
    debug.push({ line: lineAt(code, m.index ?? 0), what: shorten(m[0]) });
  }
  return {
    file: file.rel,
    language: 'python',
    listeners,
    env: uniqSorted(env),
    localImports: uniqSorted(localImports.filter((l) => l !== file.rel)),
    packages: uniqSorted(packages),
    health: findHealth(code),
    metrics: findMetrics(code),
    frameworks,
    isMain: /^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m.test(code),
    debug: debug.sort((a, b) => a.line - b.line),
    wrappers,
  };
}
