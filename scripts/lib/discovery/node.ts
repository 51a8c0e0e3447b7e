// Node.js / TypeScript: listeners (http/https/net, Express, Fastify, Koa, Hapi, ws), env reads, imports.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { findHealth, findMetrics, MAX_CALLS, shorten, uniqSorted, type FileFacts, type Listener, type Wrapper } from './facts.ts';
import { balanced, codeOf, escapeRegExp, lineAt, splitAddress, splitArgs, stringLiteral } from './text.ts';
import type { BindValue, PortValue, SourceFile } from './types.ts';
import { asPort, resolveJs, type JsContext, type Resolved } from './values.ts';

const SERVER_MODULES: Array<[RegExp, string]> = [
  [/^@nestjs\/core$/, 'nestjs'],
  [/^fastify$/, 'fastify'],
  [/^express$/, 'express'],
  [/^koa$/, 'koa'],
  [/^@grpc\/grpc-js$|^grpc$/, 'grpc'],
  [/^@hapi\/hapi$|^hapi$/, 'hapi'],
  [/^restify$/, 'restify'],
  [/^connect$/, 'connect'],
  [/^ws$/, 'ws'],
  [/^socket\.io$/, 'socket.io'],
  [/^(node:)?https$/, 'https'],
  [/^(node:)?http2$/, 'http2'],
  [/^(node:)?http$/, 'http'],
  [/^(node:)?net$/, 'net'],
  [/^(node:)?tls$/, 'tls'],
];

const BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '')));

const IMPORT_RE = /(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|^\s*import\s+)['"]([^'"\n]+)['"]/gm;

export function packageName(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? null : name;
}

/** Resolves a relative import to a scanned file: `./db.js` may be `db.ts` in TypeScript ESM. */
export function resolveLocalJs(fromRel: string, spec: string, known: Set<string>): string | null {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  const stem = base.replace(/\.(m|c)?js$/, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    `${stem}.cts`,
    `${base}.ts`,
    `${base}.js`,
    `${base}.mjs`,
    `${base}.cjs`,
    `${base}/index.ts`,
    `${base}/index.js`,
    `${base}/index.mjs`,
  ];
  return candidates.find((c) => known.has(c)) ?? null;
}

function portValue(r: Resolved, file: SourceFile, line: number): PortValue {
  const v: PortValue = { port: asPort(r), source: r.source, file: r.file ?? file.rel, line: r.line ?? line };
  if (r.env) v.env = r.env;
  if (r.config) v.config = r.config;
  return v;
}

function bindValue(r: Resolved | null, file: SourceFile, line: number, fallback: string): BindValue {
  if (!r) return { address: fallback, source: 'framework-default', file: file.rel, line };
  const v: BindValue = { address: r.value ?? (r.env ? `$${r.env}` : '?'), source: r.source, file: r.file ?? file.rel, line: r.line ?? line };
  if (r.env) v.env = r.env;
  return v;
}

/** Reads `{ port: X, host: Y }` from an options object literal. */
function optionsObject(arg: string): { port?: string; host?: string } {
  if (!arg.startsWith('{')) return {};
  const out: { port?: string; host?: string } = {};
  for (const part of splitArgs(arg.slice(1, -1))) {
    const kv = /^(\w+)\s*(?::\s*(.+))?$/s.exec(part);
    if (!kv) continue;
    const key = kv[1];
    const value = kv[2] ?? kv[1];
    if (key === 'port') out.port = value;
    if (key === 'host' || key === 'hostname') out.host = value;
  }
  return out;
}

/** A bare name that appears in a parameter list (and is declared nowhere else) is a parameter. */
export function isParameter(name: string, code: string): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  if (new RegExp(`(?:const|let|var)\\s+(?:[{[][^}\\]]*\\b${name}\\b[^}\\]]*[}\\]]|${name}\\b)|\\bimport\\s+[^;]*\\b${name}\\b[^;]*\\bfrom\\b`).test(code))
    return false;
  const params = /\(([^()]*)\)\s*(?::\s*[^={;]+)?(?:=>|\{)/g;
  for (const m of code.matchAll(params)) if (new RegExp(`(^|[\\s,{(])${name}\\b`).test(m[1])) return true;
  return false;
}

const FN_START =
  /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?=\s*(?:async\s*)?(?:function\s*\*?\s*[\w$]*\s*)?\(|^[ \t]*(?:export\s+)?(?:async\s+)?([A-Za-z_$][\w$]*)\s*\(/gm;

/** Parameter names in order; a destructured object parameter lists its keys. */
function paramList(inner: string): Array<{ name: string } | { keys: string[] }> {
  return splitArgs(inner).map((p) => {
    const t = p.replace(/^\.\.\./, '').trim();
    if (t.startsWith('{')) {
      const body = balanced(t, 0) ?? '';
      return {
        keys: splitArgs(body)
          .map((k) => k.split(/[:=]/)[0].trim())
          .filter(Boolean),
      };
    }
    return { name: t.split(/[:=?]/)[0].trim() };
  });
}

/** The named function whose body contains `index`, with its parameters. */
export function enclosingJsFunction(code: string, index: number): { name: string; params: ReturnType<typeof paramList> } | null {
  const starts = [...code.slice(0, index).matchAll(new RegExp(FN_START.source, 'gm'))];
  for (let i = starts.length - 1; i >= 0; i--) {
    const m = starts[i];
    const name = m[1] ?? m[2] ?? m[3];
    if (!name || /^(if|for|while|switch|catch|return|function)$/.test(name)) continue;
    const open = (m.index ?? 0) + m[0].length - 1;
    const inner = balanced(code, open);
    if (inner === null) continue;
    const afterParams = open + inner.length + 2;
    const rest = code.slice(afterParams, afterParams + 200);
    const brace = /^\s*(?::\s*[^{=]+)?(?:=>\s*)?\{/.exec(rest);
    // `const boot = ({ port }) => start(port);`: an expression body runs to the end of the statement.
    const arrow = brace ? null : /^\s*(?::\s*(?:\{[^}]*\}|[^=])+?)?=>\s*/.exec(rest);
    if (arrow) {
      const from = afterParams + arrow[0].length;
      const end = code.slice(from).search(/;|\n/);
      if (from <= index && (end < 0 || index <= from + end)) return { name, params: paramList(inner) };
      continue;
    }
    if (!brace) continue;
    const bodyOpen = afterParams + brace[0].length - 1;
    const body = balanced(code, bodyOpen);
    if (body !== null && bodyOpen < index && index <= bodyOpen + body.length + 1) return { name, params: paramList(inner) };
  }
  return null;
}

/** Where a port/host expression sits in a function's parameters, if it is one. */
export function paramPosition(params: ReturnType<typeof paramList>, expr: string | undefined): { at: number; key?: string } | null {
  if (!expr || !/^[A-Za-z_$][\w$]*$/.test(expr.trim())) return null;
  const name = expr.trim();
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if ('name' in p && p.name === name) return { at: i };
    if ('keys' in p && p.keys.includes(name)) return { at: i, key: name };
  }
  return null;
}

function findListeners(file: SourceFile, code: string, frameworks: string[], ctx?: JsContext, wrappers: Wrapper[] = []): Listener[] {
  const listeners: Listener[] = [];
  const framework = frameworks[0] ?? 'node';
  // An app built in another local module and started here: `const app = require('./app'); app.listen(port)`.
  const listenCallees = new Set([...code.matchAll(/\b([A-Za-z_$][\w$]*)\.listen\s*\(/g)].map((m) => m[1]));
  const importedApp = [...listenCallees]
    .slice(0, 20)
    .some((name) =>
      new RegExp(`(?:const|let|var)\\s+${escapeRegExp(name)}\\s*=\\s*require\\(\\s*['"]\\.|\\bimport\\s+${escapeRegExp(name)}\\s+from\\s+['"]\\.`).test(code),
    );
  const hasServerLib = frameworks.length > 0 || importedApp || /\bcreateServer\s*\(/.test(code);
  const add = (index: number, call: string, portExpr: string | undefined, hostExpr: string | undefined, fw: string) => {
    const line = lineAt(code, index);
    const port = portExpr !== undefined ? portValue(resolveJs(portExpr, file, code, ctx), file, line) : null;
    // `function start(port) { server.listen(port) }` is a helper, not a service: each caller that
    // passes a port is (resolved later across files); a parameter of an anonymous callback is dropped.
    if (port && port.source === 'unknown' && portExpr && isParameter(portExpr.trim(), code)) {
      const fn = enclosingJsFunction(code, index);
      const p = fn ? paramPosition(fn.params, portExpr) : null;
      if (fn && p) {
        const h = hostExpr !== undefined && resolveJs(hostExpr, file, code, ctx).source === 'unknown' ? paramPosition(fn.params, hostExpr) : null;
        wrappers.push({
          name: fn.name,
          file: file.rel,
          line,
          params: fn.params.map((q) => ('name' in q ? q.name : '{}')),
          portAt: p.at,
          hostAt: h?.at ?? -1,
          framework: fw,
          defaultHost: '0.0.0.0',
          ...(p.key ? { portKey: p.key } : {}),
          ...(h?.key ? { hostKey: h.key } : {}),
        });
      }
      return;
    }
    // A path (unix socket) or a pipe is not a TCP port.
    if (portExpr !== undefined && stringLiteral(portExpr)?.startsWith('/')) return;
    const bind = bindValue(hostExpr !== undefined ? resolveJs(hostExpr, file, code, ctx) : null, file, line, '0.0.0.0');
    listeners.push({ file: file.rel, line, call: shorten(call), framework: fw, port, bind });
  };
  if (hasServerLib) {
    const re = /\.listen\s*\(/g;
    // A file with thousands of identical calls is generated or a test of this tool: the first
    // ones say what there is to say.
    for (let m = re.exec(code), n = 0; m && n < MAX_CALLS; m = re.exec(code), n++) {
      const open = m.index + m[0].length - 1;
      const inner = balanced(code, open);
      if (inner === null) continue;
      const args = splitArgs(inner);
      const callee = /[\w$.)\]]*$/.exec(code.slice(Math.max(0, m.index - 40), m.index))?.[0] ?? '';
      const call = `${callee}.listen(${inner})`;
      if (args[0]?.startsWith('{')) {
        const o = optionsObject(args[0]);
        add(m.index, call, o.port, o.host, framework);
      } else {
        const host = args[1] && !/^(function|async|\(|[\w$]+\s*=>)/.test(args[1]) ? args[1] : undefined;
        add(m.index, call, args[0], host, framework);
      }
    }
  }
  // gRPC: `server.bindAsync('0.0.0.0:' + port, credentials, cb)`; the port is inside the address.
  const bindRe = /\.bindAsync\s*\(/g;
  for (let m = bindRe.exec(code), n = 0; m && n < MAX_CALLS; m = bindRe.exec(code), n++) {
    const inner = balanced(code, m.index + m[0].length - 1) ?? '';
    const address = splitAddress(splitArgs(inner)[0] ?? '');
    const portExpr = address.port !== undefined ? String(address.port) : address.portExpr;
    if (portExpr === undefined) continue;
    add(m.index, `bindAsync(${shorten(inner, 40)})`, portExpr, address.host === null ? undefined : `'${address.host.replace(/^\[|\]$/g, '')}'`, 'grpc');
  }
  // Servers configured by an options object: Hapi, ws, Bun/Deno.
  const objRe = /\b(Hapi\.server|new\s+Hapi\.Server|new\s+(?:WebSocket\.Server|WebSocketServer|WSServer)|Bun\.serve|Deno\.serve)\s*\(/g;
  for (let m = objRe.exec(code), n = 0; m && n < MAX_CALLS; m = objRe.exec(code), n++) {
    const inner = balanced(code, m.index + m[0].length - 1) ?? '';
    const o = optionsObject(splitArgs(inner)[0] ?? '');
    if (o.port === undefined) continue;
    const fw = m[1].includes('Hapi') ? 'hapi' : m[1].includes('Bun') ? 'bun' : m[1].includes('Deno') ? 'deno' : 'ws';
    add(m.index, `${m[1]}(${inner})`, o.port, o.host, fw);
  }
  return listeners;
}

export function analyzeJs(file: SourceFile, known: Set<string>, ctx?: JsContext): FileFacts {
  const code = codeOf(file);
  const wrappers: Wrapper[] = [];
  const localImports: string[] = [];
  const packages: string[] = [];
  const frameworks: string[] = [];
  IMPORT_RE.lastIndex = 0;
  for (let m = IMPORT_RE.exec(code); m; m = IMPORT_RE.exec(code)) {
    const spec = m[1];
    if (spec.startsWith('.')) {
      const local = resolveLocalJs(file.rel, spec, known);
      if (local) localImports.push(local);
      continue;
    }
    const pkg = packageName(spec);
    if (pkg) packages.push(pkg);
    const fw = SERVER_MODULES.find(([re]) => re.test(spec));
    if (fw && !frameworks.includes(fw[1])) frameworks.push(fw[1]);
  }
  frameworks.sort((a, b) => SERVER_MODULES.findIndex(([, n]) => n === a) - SERVER_MODULES.findIndex(([, n]) => n === b));
  const env = new Set<string>();
  for (const m of code.matchAll(/\bprocess\.env(?:\.([A-Za-z_]\w*)|\[\s*['"]([A-Za-z_]\w*)['"]\s*\])/g)) env.add(m[1] ?? m[2]);
  // A config loader given process.env as a parameter (`loadConfig(env)` reading `env.PORT`).
  for (const m of code.matchAll(/(?<![\w.])(?:env|environ|environment)\.([A-Z][A-Z0-9_]+)\b/g)) env.add(m[1]);
  for (const m of code.matchAll(/\{([^{}]*)\}\s*=\s*process\.env\b/g)) {
    for (const part of splitArgs(m[1])) {
      const name = /^([A-Za-z_]\w*)/.exec(part)?.[1];
      if (name) env.add(name);
    }
  }
  return {
    file: file.rel,
    language: 'node',
    listeners: file.isTest ? [] : findListeners(file, code, frameworks, ctx, wrappers),
    env: uniqSorted(env),
    localImports: uniqSorted(localImports),
    packages: uniqSorted(packages),
    health: findHealth(code),
    metrics: findMetrics(code),
    frameworks,
    isMain: false,
    debug: [],
    wrappers,
  };
}
