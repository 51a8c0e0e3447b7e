// Resolves the expression given to listen()/run() to a value and its origin, without running code:
// `process.env.PORT || 3000` is "env PORT, default 3000"; `os.environ.get("PORT", "5556")` likewise.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { balanced, escapeRegExp, lineAt, splitArgs, splitTop, stringLiteral } from './text.ts';
import type { SourceFile, ValueSource } from './types.ts';

export interface Resolved {
  value: string | null;
  source: ValueSource;
  env?: string;
  config?: string;
  line?: number;
  /** The file the value is written in, when not the file that uses it. */
  file?: string;
}

const UNKNOWN: Resolved = { value: null, source: 'unknown' };

const lineOf = lineAt;

function unwrap(expr: string, wrappers: RegExp): string {
  let e = expr.trim().replace(/;$/, '').trim();
  for (let guard = 0; guard < 6; guard++) {
    if (e.startsWith('(') && balanced(e, 0) === e.slice(1, -1)) {
      e = e.slice(1, -1).trim();
      continue;
    }
    const w = wrappers.exec(e);
    if (w && e.endsWith(')')) {
      const inner = splitArgs(e.slice(w[0].length, -1));
      if (inner.length >= 1) {
        e = inner[0];
        continue;
      }
    }
    if (e.startsWith('+') && !e.startsWith('++')) {
      e = e.slice(1).trim();
      continue;
    }
    break;
  }
  return e.replace(/\s+as\s+\w+$/, '').replace(/!$/, '');
}

function combine(left: Resolved, right: Resolved): Resolved {
  if (left.env) return { value: right.value, source: 'env', env: left.env, ...(right.config ? { config: right.config } : {}) };
  if (left.value !== null) return left;
  return right;
}

/** Other files of the scan, for values defined in an imported module (config.ts and the like). */
export interface JsContext {
  byRel: Map<string, SourceFile>;
  known: Set<string>;
  codeOf: (file: SourceFile) => string;
  resolveImport: (fromRel: string, spec: string) => string | null;
}

/**
 * A helper like `int('PORT', env.PORT, 3000)` or `env_int("PORT", 37778)`: an env var name (or an
 * env access) followed by a literal is read as "env NAME, default literal".
 */
export function envHelperCall(args: string[], isEnv: (a: string) => string | null): Resolved | null {
  let envName: string | null = null;
  let at = -1;
  args.forEach((a, i) => {
    if (envName) return;
    const direct = isEnv(a);
    const lit = stringLiteral(a);
    if (direct) envName = direct;
    else if (lit && /^[A-Z][A-Z0-9_]+$/.test(lit)) envName = lit;
    if (envName) at = i;
  });
  if (!envName) return null;
  for (const a of args.slice(at + 1)) {
    if (isEnv(a)) continue;
    const lit = /^-?\d+$/.test(a.trim()) ? a.trim() : stringLiteral(a);
    if (lit !== null && lit !== envName) return { value: lit, source: 'env', env: envName };
  }
  return { value: null, source: 'env', env: envName };
}

const jsEnvAccess = (e: string): string | null => {
  const m = /^(?:process\.env|import\.meta\.env|env|environ|environment)(?:\.([A-Z_][A-Z0-9_]*)|\[\s*['"]([A-Za-z_]\w*)['"]\s*\])$/.exec(e.trim());
  return m ? (m[1] ?? m[2]) : null;
};

/** A JavaScript/TypeScript expression in `file`, following consts in the same file and imported modules. */
export function resolveJs(expr: string, file: SourceFile, code: string, ctx?: JsContext, depth = 0): Resolved {
  if (depth > 8) return UNKNOWN;
  const e = unwrap(expr, /^(?:Number|parseInt|parseFloat|String|Math\.floor)\(/);
  const or = splitTop(e, ['||', '??']);
  if (or) return combine(resolveJs(or[0], file, code, ctx, depth + 1), resolveJs(or[1], file, code, ctx, depth + 1));
  if (/^\d+$/.test(e)) return { value: e, source: 'literal' };
  const lit = stringLiteral(e);
  if (lit !== null) return { value: lit, source: 'literal' };
  const env =
    /^(?:process\.env|import\.meta\.env|Deno\.env)(?:\.([A-Za-z_]\w*)|\[\s*['"]([A-Za-z_]\w*)['"]\s*\])$/.exec(e) ??
    /^(?:process\.env|Deno\.env)\.get\(\s*['"]([A-Za-z_]\w*)['"]\s*\)$/.exec(e);
  if (env) return { value: null, source: 'env', env: env[1] ?? env[2] };
  const envLike = jsEnvAccess(e);
  if (envLike) return { value: null, source: 'env', env: envLike };
  const call = /^[A-Za-z_$][\w$.]*\s*\(/.exec(e);
  if (call && balanced(e, call[0].length - 1) === e.slice(call[0].length, -1)) {
    const args = splitArgs(e.slice(call[0].length, -1));
    const helper = envHelperCall(args, jsEnvAccess);
    if (helper) return helper;
    // `normalizePort(process.env.PORT || '3001')`: a one-argument helper passes its value on.
    if (args.length === 1) return resolveJs(args[0], file, code, ctx, depth + 1);
  }
  const member = /^([A-Za-z_$][\w$]*)((?:\??\.[A-Za-z_$][\w$]*)+)$/.exec(e);
  if (member) return resolveMember(member[1], member[2].replace(/\?/g, '').slice(1).split('.'), file, code, ctx, depth);
  if (/^[A-Za-z_$][\w$]*$/.test(e)) return resolveIdentifier(e, file, code, ctx, depth);
  return UNKNOWN;
}

function resolveIdentifier(name: string, file: SourceFile, code: string, ctx: JsContext | undefined, depth: number): Resolved {
  const n = escapeRegExp(name);
  // `const { PORT = 3000 } = process.env` and `const { PORT: port = 3000 } = process.env`
  const destructure = new RegExp(`\\{([^{}]*?)\\}\\s*=\\s*process\\.env\\b`, 'g');
  for (let m = destructure.exec(code); m; m = destructure.exec(code)) {
    for (const part of splitArgs(m[1])) {
      const p = /^([A-Za-z_]\w*)(?:\s*:\s*([A-Za-z_$][\w$]*))?(?:\s*=\s*(.+))?$/s.exec(part.trim());
      if (p && (p[2] ?? p[1]) === name) {
        const def = p[3] ? resolveJs(p[3], file, code, ctx, depth + 1) : UNKNOWN;
        return { value: def.value, source: 'env', env: p[1], line: lineOf(code, m.index) };
      }
    }
  }
  const decl = new RegExp(`(?:const|let|var)\\s+${n}\\s*(?::\\s*[\\w<>|\\[\\] ]+)?=\\s*([^;\\n]+)`).exec(code);
  if (decl) return withLine(resolveJs(decl[1], file, code, ctx, depth + 1), code, decl.index);
  const imported = importedFrom(name, file, code, ctx);
  if (imported) {
    const other = imported.file;
    const otherCode = ctx?.codeOf(other) ?? other.text;
    return resolveIdentifier(imported.name, other, otherCode, ctx, depth + 1);
  }
  return UNKNOWN;
}

function withLine(r: Resolved, code: string, index: number): Resolved {
  return r.line !== undefined ? r : { ...r, line: lineOf(code, index) };
}

/** `import { a as b } from './x.js'`: the file and the exported name behind local `b`. */
function importedFrom(local: string, file: SourceFile, code: string, ctx?: JsContext): { file: SourceFile; name: string } | null {
  if (!ctx) return null;
  for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"](\.[^'"]+)['"]/g)) {
    for (const part of m[1].split(',')) {
      const [exported, as] = part.trim().split(/\s+as\s+/);
      if ((as ?? exported)?.trim() !== local) continue;
      const rel = ctx.resolveImport(file.rel, m[2]);
      const other = rel ? ctx.byRel.get(rel) : undefined;
      if (other) return { file: other, name: exported.trim() };
    }
  }
  return null;
}

/** The object literal a function returns: `function loadConfig() { ... return { port: ... } }`. */
function returnedObject(
  fn: string,
  file: SourceFile,
  code: string,
  ctx: JsContext | undefined,
  depth: number,
): { file: SourceFile; code: string; body: string; start: number } | null {
  const f = escapeRegExp(fn);
  const def = new RegExp(`function\\s*\\*?\\s*${f}\\s*\\(|(?:const|let|var)\\s+${f}\\s*=\\s*(?:async\\s*)?(?:function\\s*)?\\(`).exec(code);
  if (def) {
    const params = balanced(code, def.index + def[0].length - 1);
    const open = params === null ? -1 : code.indexOf('{', def.index + def[0].length + params.length);
    const body = open < 0 ? null : balanced(code, open);
    if (body !== null) {
      const ret = /\breturn\s*\{/g;
      let last: RegExpExecArray | null = null;
      for (let m = ret.exec(body); m; m = ret.exec(body)) last = m;
      if (last) {
        const objOpen = open + 1 + last.index + last[0].length - 1;
        const obj = balanced(code, objOpen);
        if (obj !== null) return { file, code, body: obj, start: objOpen + 1 };
      }
    }
    return null;
  }
  const imported = depth < 8 ? importedFrom(fn, file, code, ctx) : null;
  if (imported) return returnedObject(imported.name, imported.file, ctx?.codeOf(imported.file) ?? imported.file.text, ctx, depth + 1);
  return null;
}

/** `key: value` in an object literal's body, at top level; the value's offset in the body. */
function keyIn(body: string, key: string): { value: string; offset: number } | null {
  let offset = 0;
  for (const part of splitArgs(body)) {
    const at = body.indexOf(part, offset);
    offset = at + part.length;
    const m = new RegExp(`^['"]?${escapeRegExp(key)}['"]?\\s*:\\s*`).exec(part);
    if (m) return { value: part.slice(m[0].length), offset: at + m[0].length };
    if (part === key) return { value: key, offset: at };
  }
  return null;
}

function resolveMember(base: string, keys: string[], file: SourceFile, code: string, ctx: JsContext | undefined, depth: number): Resolved {
  if (base === 'process' && keys[0] === 'env' && keys.length === 2) return { value: null, source: 'env', env: keys[1] };
  const b = escapeRegExp(base);
  // A JSON config file: `const config = require('./config.json')` or `import config from './config.json'`.
  const req = new RegExp(
    `(?:(?:const|let|var)\\s+${b}\\s*=\\s*require\\(\\s*['"]([^'"]+\\.json)['"]\\s*\\)|import\\s+${b}\\s+from\\s+['"]([^'"]+\\.json)['"])`,
  ).exec(code);
  if (req) return fromJsonFile(path.join(path.dirname(file.abs), req[1] ?? req[2]), keys, file);
  if (keys.length !== 1) return UNKNOWN;
  const inObject = (body: string, start: number, f: SourceFile, c: string): Resolved | null => {
    const key = keyIn(body, keys[0]);
    if (!key) return null;
    const r = resolveJs(key.value, f, c, ctx, depth + 1);
    return { ...r, line: lineOf(c, start + key.offset), file: f.rel };
  };
  // An object literal: `const config = { port: process.env.PORT || 8080 }`.
  const obj = new RegExp(`(?:const|let|var)\\s+${b}\\s*(?::[^=]+)?=\\s*\\{`).exec(code);
  if (obj) {
    const open = obj.index + obj[0].length - 1;
    const body = balanced(code, open) ?? code.slice(open + 1, open + 3000);
    return inObject(body, open + 1, file, code) ?? UNKNOWN;
  }
  // The result of a config loader: `cfg = loadConfig(process.env)`, possibly imported from another module.
  const assigned = new RegExp(`(?:^|[\\s;])${b}\\s*(?::[^=]+)?=\\s*(?:await\\s+)?([A-Za-z_$][\\w$]*)\\s*\\(`, 'm').exec(code);
  if (assigned) {
    const ret = returnedObject(assigned[1], file, code, ctx, depth);
    if (ret) return inObject(ret.body, ret.start, ret.file, ret.code) ?? UNKNOWN;
  }
  const imported = importedFrom(base, file, code, ctx);
  if (imported) return resolveMember(imported.name, keys, imported.file, ctx?.codeOf(imported.file) ?? imported.file.text, ctx, depth + 1);
  return UNKNOWN;
}

function fromJsonFile(abs: string, keys: string[], from: SourceFile): Resolved {
  try {
    let node: unknown = JSON.parse(readFileSync(abs, 'utf8'));
    for (const key of keys) node = (node as Record<string, unknown>)?.[key];
    if (typeof node === 'number' || typeof node === 'string') {
      const rel = path.posix.join(path.posix.dirname(from.rel), path.relative(path.dirname(from.abs), abs).split(path.sep).join('/'));
      return { value: String(node), source: 'config', config: `${rel}#${keys.join('.')}` };
    }
  } catch {
    // A missing or malformed config file leaves the value unknown; the report says so.
  }
  return UNKNOWN;
}

/** A Python expression, following module-level assignments in the same file. */
export function resolvePy(expr: string, code: string, depth = 0): Resolved {
  if (depth > 6) return UNKNOWN;
  const e = unwrap(expr, /^(?:int|str|float)\(/);
  const or = splitTop(e, [' or ']);
  if (or) return combine(resolvePy(or[0], code, depth + 1), resolvePy(or[1], code, depth + 1));
  if (/^\d+$/.test(e)) return { value: e, source: 'literal' };
  const lit = stringLiteral(e);
  if (lit !== null) return { value: lit, source: 'literal' };
  const get = /^(?:os\.environ\.get|os\.getenv|environ\.get|getenv)\((.*)\)$/s.exec(e);
  if (get) {
    const [name, def] = splitArgs(get[1]);
    const envName = name ? stringLiteral(name) : null;
    if (envName) {
      const d = def ? resolvePy(def, code, depth + 1) : UNKNOWN;
      return { value: d.value, source: 'env', env: envName };
    }
  }
  const pyCall = /^[A-Za-z_][\w.]*\s*\(/.exec(e);
  if (pyCall && !get && balanced(e, pyCall[0].length - 1) === e.slice(pyCall[0].length, -1)) {
    const helper = envHelperCall(splitArgs(e.slice(pyCall[0].length, -1)), () => null);
    if (helper) return helper;
  }
  const index = /^(?:os\.)?environ\[\s*['"](\w+)['"]\s*\]$/.exec(e);
  if (index) return { value: null, source: 'env', env: index[1] };
  if (/^[A-Za-z_]\w*$/.test(e) && !['None', 'True', 'False'].includes(e)) {
    const decl = new RegExp(`^[ \\t]*${escapeRegExp(e)}\\s*(?::\\s*[\\w\\[\\], ]+)?=(?!=)\\s*(.+)$`, 'm').exec(code);
    if (decl) return { ...resolvePy(decl[1], code, depth + 1), line: lineOf(code, decl.index + decl[0].length - decl[1].length) };
  }
  return UNKNOWN;
}

export function asPort(r: Resolved): number | null {
  if (r.value === null || !/^\d{1,5}$/.test(r.value.trim())) return null;
  const n = Number(r.value);
  return n > 0 && n < 65536 ? n : null;
}
