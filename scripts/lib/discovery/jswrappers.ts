// JavaScript/TypeScript servers started through helper functions: `export function start(port)
// { app.listen(port) }` is not a service; `start(Number(process.env.PORT) || 3000)` in main.ts is.
// Followed across imports and through helpers that call helpers, like wrappers.ts for Python.
import type { FileFacts, Listener, Wrapper } from './facts.ts';
import { shorten, uniqSorted } from './facts.ts';
import { enclosingJsFunction, isParameter, paramPosition } from './node.ts';
import { balanced, codeOf, escapeRegExp, lineAt, splitArgs } from './text.ts';
import type { BindValue, PortValue, SourceFile } from './types.ts';
import { asPort, resolveJs, type JsContext, type Resolved } from './values.ts';

/** The argument for a parameter position, or the key of an object argument. */
function argAt(args: string[], at: number, key?: string): string | undefined {
  const arg = at >= 0 ? args[at] : undefined;
  if (!arg || key === undefined) return arg;
  if (!arg.startsWith('{')) return undefined;
  for (const part of splitArgs(arg.slice(1, -1))) {
    const kv = /^(\w+)\s*(?::\s*(.+))?$/s.exec(part);
    if (kv && kv[1] === key) return kv[2] ?? kv[1];
  }
  return undefined;
}

function toPort(r: Resolved, file: string, line: number): PortValue {
  return {
    port: asPort(r),
    source: r.source,
    file: r.file ?? file,
    line: r.line ?? line,
    ...(r.env ? { env: r.env } : {}),
    ...(r.config ? { config: r.config } : {}),
  };
}

export function propagateJsWrappers(jsFiles: SourceFile[], facts: Map<string, FileFacts>, ctx: JsContext): void {
  const queue: Wrapper[] = jsFiles.flatMap((f) => facts.get(f.rel)?.wrappers ?? []);
  const done = new Set(queue.map((w) => `${w.file}|${w.name}`));
  for (let guard = 0; queue.length && guard < 200; guard++) {
    const w = queue.shift() as Wrapper;
    const name = escapeRegExp(w.name);
    for (const f of jsFiles) {
      if (f.isTest) continue;
      const code = codeOf(f);
      const ff = facts.get(f.rel);
      if (!ff || !code.includes(w.name)) continue;
      // Defined here, or imported from the file that defines it.
      if (f.rel !== w.file && !(ff.localImports.includes(w.file) && new RegExp(`\\b${name}\\b`).test(code.slice(0, 4000)))) continue;
      const re = new RegExp(`(?<![\\w$.])(?:[\\w$]+\\.)?${name}\\s*\\(`, 'g');
      for (let m = re.exec(code); m; m = re.exec(code)) {
        const open = m.index + m[0].length - 1;
        const inner = balanced(code, open);
        if (inner === null) continue;
        // `function start(port) {` and `start(port) {` (a method) are definitions, not calls.
        if (
          /function\s*\*?\s*$/.test(code.slice(Math.max(0, m.index - 12), m.index)) ||
          /^\s*(?::[^{=;]+)?\{/.test(code.slice(open + inner.length + 2, open + inner.length + 80))
        )
          continue;
        const args = splitArgs(inner);
        const portExpr = argAt(args, w.portAt, w.portKey);
        if (portExpr === undefined) continue;
        const hostExpr = argAt(args, w.hostAt, w.hostKey);
        const line = lineAt(code, m.index);
        const port = resolveJs(portExpr, f, code, ctx);
        if (port.source === 'unknown' && isParameter(portExpr.trim(), code)) {
          const fn = enclosingJsFunction(code, m.index);
          const p = fn ? paramPosition(fn.params, portExpr) : null;
          const key = fn ? `${f.rel}|${fn.name}` : '';
          if (fn && p && fn.name !== w.name && !done.has(key)) {
            done.add(key);
            const h = paramPosition(fn.params, hostExpr);
            queue.push({
              ...w,
              name: fn.name,
              file: f.rel,
              line,
              params: fn.params.map((q) => ('name' in q ? q.name : '{}')),
              portAt: p.at,
              hostAt: h?.at ?? -1,
              portKey: p.key,
              hostKey: h?.key,
            });
          }
          continue;
        }
        // A port known only at run time (`isPortFree(p.published)` in a loop) is a probe or a
        // tool, not a service definition.
        if (port.source === 'unknown') continue;
        const host = hostExpr !== undefined ? resolveJs(hostExpr, f, code, ctx) : null;
        const bind: BindValue = host
          ? {
              address: host.value ?? (host.env ? `$${host.env}` : '?'),
              source: host.source,
              file: host.file ?? f.rel,
              line: host.line ?? line,
              ...(host.env ? { env: host.env } : {}),
            }
          : { address: w.defaultHost, source: 'framework-default', file: f.rel, line };
        const listener: Listener = { file: f.rel, line, call: shorten(`${m[0]}${inner})`), framework: w.framework, port: toPort(port, f.rel, line), bind };
        ff.listeners.push(listener);
        ff.frameworks = uniqSorted([...ff.frameworks, w.framework]);
      }
    }
  }
}
