// Servers started through helper functions: `start_server(app, host, port)` in a shared module is
// not a service by itself; each caller that passes a concrete port is. Followed across files and
// through helpers that call helpers.
import type { FileFacts, Listener, Wrapper } from './facts.ts';
import { shorten, uniqSorted } from './facts.ts';
import { hostPortAt } from './python.ts';
import { balanced, escapeRegExp, lineAt, splitArgs } from './text.ts';
import type { BindValue, PortValue, SourceFile } from './types.ts';
import { asPort } from './values.ts';

function argFor(args: string[], w: Wrapper, at: number): string | undefined {
  if (at < 0) return undefined;
  const name = w.params[at];
  const kw = args.find((a) => new RegExp(`^${escapeRegExp(name)}\\s*=(?!=)`).test(a));
  if (kw) return kw.replace(/^\w+\s*=\s*/, '');
  const positional = args.filter((a) => !/^\w+\s*=(?!=)/.test(a));
  return positional[at];
}

export function propagateWrappers(pyFiles: SourceFile[], facts: Map<string, FileFacts>, codeOf: (f: SourceFile) => string): void {
  const queue: Wrapper[] = [...facts.values()].flatMap((f) => f.wrappers);
  const done = new Set(queue.map((w) => `${w.file}|${w.name}`));
  for (let guard = 0; queue.length && guard < 200; guard++) {
    const w = queue.shift() as Wrapper;
    for (const f of pyFiles) {
      if (f.isTest) continue;
      const code = codeOf(f);
      if (!code.includes(w.name)) continue;
      const facts1 = facts.get(f.rel);
      if (!facts1) continue;
      // The name must be defined here or imported from elsewhere (`from galaxy_http import run_forever`).
      if (f.rel !== w.file && !new RegExp(`\\bimport\\b[^\\n]*\\b${escapeRegExp(w.name)}\\b|\\b\\w+\\.${escapeRegExp(w.name)}\\s*\\(`).test(code)) continue;
      const re = new RegExp(`(?<!def\\s)(?<![\\w])(?:\\w+\\.)?${escapeRegExp(w.name)}\\s*\\(`, 'g');
      for (let m = re.exec(code); m; m = re.exec(code)) {
        if (/def\s+$/.test(code.slice(Math.max(0, m.index - 8), m.index))) continue;
        const inner = balanced(code, m.index + m[0].length - 1);
        if (inner === null) continue;
        const args = splitArgs(inner);
        const hostExpr = argFor(args, w, w.hostAt);
        const portExpr = argFor(args, w, w.portAt);
        if (portExpr === undefined) continue;
        const hp = hostPortAt(code, m.index, hostExpr, portExpr);
        const line = lineAt(code, m.index);
        if (hp.wrapper) {
          const key = `${f.rel}|${hp.wrapper.name}`;
          if (hp.wrapper.name !== w.name && !done.has(key)) {
            done.add(key);
            queue.push({ ...hp.wrapper, file: f.rel, line, framework: w.framework, defaultHost: w.defaultHost });
          }
          continue;
        }
        const port = hp.port;
        // A port known only at run time is a probe or a tool, not a service definition.
        if (!port || port.source === 'unknown') continue;
        const portValue: PortValue | null = port
          ? { port: asPort(port), source: port.source, file: f.rel, line: port.line ?? line, ...(port.env ? { env: port.env } : {}) }
          : null;
        const bind: BindValue = hp.host
          ? {
              address: hp.host.value === '' ? '0.0.0.0' : (hp.host.value ?? (hp.host.env ? `$${hp.host.env}` : '?')),
              source: hp.host.source,
              file: f.rel,
              line: hp.host.line ?? line,
              ...(hp.host.env ? { env: hp.host.env } : {}),
            }
          : { address: w.defaultHost, source: 'framework-default', file: f.rel, line };
        const listener: Listener = { file: f.rel, line, call: shorten(`${m[0]}${inner})`), framework: w.framework, port: portValue, bind };
        facts1.listeners.push(listener);
        facts1.frameworks = uniqSorted([...facts1.frameworks, w.framework]);
      }
    }
  }
}
