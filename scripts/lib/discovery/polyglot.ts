// Ports of servers in Go, Java/Kotlin and C#: the listen call's address followed back to a
// literal, an env var (with its default) or a flag default in the same file; Spring Boot's
// server.port from the project's application.properties/yml (8080 when none is set).
import { parse as parseYaml } from 'yaml';
import { codeOf, escapeRegExp, lineAt, splitArgs, balanced } from './text.ts';
import { longestLine, MAX_YAML_LINE } from './docker.ts';
import type { SourceFile } from './types.ts';

export interface PortHit {
  port: number | null;
  env?: string;
  line: number;
  call: string;
  framework: string;
  /** Where the value is written, when not at the call (a config file). */
  file?: string;
}

const asPort = (v: string | undefined) => (v && /^\d{2,5}$/.test(v) && Number(v) < 65536 ? Number(v) : null);

const ENV_CALL = /\b(?:Getenv|LookupEnv|getenv|GetEnvironmentVariable|getOrDefault|getProperty)\s*\(\s*"(\w+)"/g;

/** The value of a variable: the literal assigned to it, a flag default, an env var read into it. */
export function resolveIdent(name: string, code: string): { port: number | null; env?: string } {
  const n = escapeRegExp(name);
  let port: number | null = null;
  let env: string | undefined;
  for (const m of code.matchAll(new RegExp(`\\b${n}\\s*(?::=|=(?!=))\\s*([^\\n;]+)`, 'g'))) {
    const rhs = m[1];
    env ??=
      /(?:Getenv|LookupEnv|getenv|GetEnvironmentVariable|getOrDefault|getProperty)\s*\(\s*"(\w+)"/.exec(rhs)?.[1] ??
      /^\s*\w+\(\s*"([A-Z][A-Z0-9_]+)"/.exec(rhs)?.[1];
    // `flag.String("port", "8080", ...)`: the second argument is the default.
    const flag = /\bflag\.(?:String|Int)\s*\(\s*"[\w-]+"\s*,\s*"?(\d{2,5})"?/.exec(rhs);
    port ??= asPort(flag?.[1]) ?? asPort(/^\s*"?(\d{2,5})"?\s*[;)]?\s*$/.exec(rhs)?.[1]) ?? asPort(/"(\d{2,5})"/.exec(rhs)?.[1]);
  }
  // `if v, ok := os.LookupEnv("PORT"); ok { port = v }`: an env read assigned to it a little later.
  if (!env) {
    for (const m of code.matchAll(ENV_CALL)) {
      const after = code.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 120);
      if (new RegExp(`\\b${n}\\s*=(?!=)`).test(after)) {
        env = m[1];
        break;
      }
    }
  }
  return env ? { port, env } : { port };
}

/** An address expression (`":8080"`, `":"+port`, `fmt.Sprintf(":%s", port)`) to a port. */
export function addressPort(expr: string, code: string): { port: number | null; env?: string } {
  const e = expr.trim();
  const literal = /^"[^"]*:(\d{2,5})"$/.exec(e) ?? /^(\d{2,5})$/.exec(e);
  if (literal) return { port: Number(literal[1]) };
  const sprintf = /^fmt\.Sprintf\s*\(/.exec(e);
  const parts = sprintf ? splitArgs(e.slice(sprintf[0].length, -1)) : e.split('+');
  const last = parts[parts.length - 1]?.trim() ?? '';
  const tail = /"[^"]*:(\d{2,5})"$/.exec(last);
  if (tail) return { port: Number(tail[1]) };
  const ident = /([A-Za-z_]\w*)\s*\)*$/.exec(last.replace(/^\*/, ''))?.[1];
  return ident ? resolveIdent(ident, code) : { port: null };
}

const CALLS: Array<{ language: RegExp; re: RegExp; arg: number; framework: string }> = [
  { language: /^go$/, re: /\bnet\.Listen\s*\(/g, arg: 1, framework: 'net' },
  { language: /^go$/, re: /\bhttp\.ListenAndServe(?:TLS)?\s*\(/g, arg: 0, framework: 'net/http' },
  { language: /^go$/, re: /\.(?:Run|Start|Listen)\s*\(\s*(?=["':])/g, arg: 0, framework: 'go web framework' },
  { language: /^(java|kotlin|scala)$/, re: /\bServerBuilder\s*\.\s*forPort\s*\(/g, arg: 0, framework: 'grpc' },
  { language: /^dotnet$/, re: /\bListen(?:AnyIP|Localhost)\s*\(/g, arg: 0, framework: 'kestrel' },
  { language: /^dotnet$/, re: /\bUseUrls\s*\(/g, arg: 0, framework: 'kestrel' },
];

/** The listening call of a Go, JVM or .NET file, with its port followed back. */
export function polyglotListen(file: SourceFile): PortHit | null {
  const code = codeOf(file);
  for (const c of CALLS) {
    if (!c.language.test(file.language ?? '')) continue;
    c.re.lastIndex = 0;
    const m = c.re.exec(code);
    if (!m) continue;
    const open = code.indexOf('(', m.index);
    const args = splitArgs(balanced(code, open) ?? '');
    const arg = (args[c.arg] ?? '').replace(/^(?:int\.Parse|Integer\.parseInt|strconv\.Atoi|Convert\.ToInt32)\s*\((.*)\)$/, '$1');
    const hit = addressPort(arg, code);
    const framework = /\bgrpc\.NewServer\s*\(|\bAddGrpc\s*\(/.test(code) ? 'grpc' : c.framework;
    return { ...hit, line: lineAt(code, m.index), call: code.slice(m.index, open + 1 + Math.min(60, (balanced(code, open) ?? '').length)) + ')', framework };
  }
  return null;
}

/** Spring Boot: server.port in the project's application.properties or application.yml. */
export function springPort(app: SourceFile, files: SourceFile[]): PortHit {
  const project = app.rel.split('/src/main/')[0];
  const configs = files.filter(
    (f) => /^application(-\w+)?\.(properties|ya?ml)$/.test(f.base) && f.rel.startsWith(`${project}/src/main/resources/`) && !/-(test|dev|local)\./.test(f.base),
  );
  for (const f of configs) {
    let value: string | undefined;
    if (f.ext === 'properties') value = /^\s*server\.port\s*[=:]\s*(\S+)/m.exec(f.text)?.[1];
    else if (longestLine(f.text) <= MAX_YAML_LINE) {
      try {
        const doc = parseYaml(f.text) as { server?: { port?: unknown } } | null;
        value = doc?.server?.port === undefined ? undefined : String(doc.server.port);
      } catch {
        // Not YAML (a template): no port from it.
      }
    }
    if (value === undefined) continue;
    const line = Math.max(1, f.text.split('\n').findIndex((l) => /\bport\b/.test(l)) + 1);
    // `${PORT:8080}`: env PORT, default 8080.
    const ref = /^\$\{(\w+)(?::(\d+))?\}$/.exec(value);
    return ref
      ? { port: asPort(ref[2]), env: ref[1], line, call: `server.port=${value}`, framework: 'spring-boot', file: f.rel }
      : { port: asPort(value), line, call: `server.port=${value}`, framework: 'spring-boot', file: f.rel };
  }
  return { port: 8080, line: 1, call: 'Spring Boot default server.port', framework: 'spring-boot' };
}
