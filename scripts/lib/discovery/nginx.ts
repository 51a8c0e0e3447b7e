// nginx configs: where requests are passed (proxy_pass, grpc_pass...), with `upstream` blocks
// expanded to their servers and `${VAR}` filled in (envsubst templates take values from the
// image's ENV or the compose environment).
import { codeOf, lineAt } from './text.ts';
import type { SourceFile } from './types.ts';
import { substitute } from './vars.ts';

export interface PassTarget {
  line: number;
  /** A URL (`http://cart:8080`) or, for fastcgi/uwsgi, `host:port`. */
  url: string;
  /** The variable the host came from, when it was one. */
  env?: string;
}

export function nginxPasses(file: SourceFile, vars: Record<string, string>): PassTarget[] {
  const code = codeOf(file);
  const upstreams = new Map<string, Array<{ server: string; line: number }>>();
  for (const m of code.matchAll(/\bupstream\s+([\w.-]+)\s*\{([^{}]*)\}/g)) {
    const bodyAt = (m.index ?? 0) + m[0].indexOf('{') + 1;
    const servers = [...m[2].matchAll(/\bserver\s+([^\s;]+)/g)].map((s) => ({ server: substitute(s[1], vars), line: lineAt(code, bodyAt + (s.index ?? 0)) }));
    upstreams.set(m[1], servers);
  }
  const out: PassTarget[] = [];
  for (const m of code.matchAll(/\b(proxy_pass|grpc_pass|uwsgi_pass|fastcgi_pass)\s+([^\s;]+)/g)) {
    const line = lineAt(code, m.index ?? 0);
    const raw = m[2];
    const env = /^[a-z]+:\/\/\$\{?(\w+)/.exec(raw)?.[1];
    const value = substitute(raw, vars);
    const scheme = /^([a-z]+):\/\//.exec(value)?.[1] ?? (m[1] === 'grpc_pass' ? 'grpc' : null);
    const rest = scheme && value.startsWith(`${scheme}://`) ? value.slice(scheme.length + 3) : value;
    const host = /^[^/:]+/.exec(rest)?.[0] ?? '';
    const pool = upstreams.get(host);
    if (pool) for (const u of pool) out.push({ line, url: scheme ? `${scheme}://${u.server}` : u.server });
    else out.push({ line, url: scheme ? `${scheme}://${rest}` : rest, ...(env ? { env } : {}) });
  }
  return out;
}
