// Problem rules: each reads the inventory and the scanned files and reports file:line and a message.
// Secrets are reported by file and variable name only; their values never leave this module.
import type { FileFacts } from './facts.ts';
import { codeOf, lineAt, matchesWithLine } from './text.ts';
import type { ShellFacts } from './shell.ts';
import type { Problem, Service, Severity, SourceFile } from './types.ts';

export interface ProblemInput {
  files: SourceFile[];
  services: Service[];
  facts: Map<string, FileFacts>;
  shells: ShellFacts[];
  /** Files tracked by git, when the root is in a git work tree. */
  tracked: Set<string> | null;
}

const where = (file: string, line: number | null) => (line ? `${file}:${line}` : file);
const problem = (rule: string, severity: Severity, file: string, line: number | null, service: string | null, message: string): Problem => ({ rule, severity, file, line, service, message });

function portConflicts(services: Service[]): Problem[] {
  const out: Problem[] = [];
  const byPort = new Map<number, Array<{ s: Service; file: string; line: number }>>();
  for (const s of services) {
    if (!['server', 'static', 'unsupported'].includes(s.kind)) continue;
    for (const p of s.ports) {
      if (p.port === null) continue;
      const list = byPort.get(p.port) ?? [];
      if (!list.some((x) => x.s === s)) list.push({ s, file: p.file, line: p.line });
      byPort.set(p.port, list);
    }
  }
  const published = new Map<number, Array<{ s: Service; file: string; line: number }>>();
  for (const s of services.filter((x) => x.kind === 'compose')) {
    for (const p of s.ports) {
      if (p.published?.port == null) continue;
      const list = published.get(p.published.port) ?? [];
      if (!list.some((x) => x.s.name === s.name)) list.push({ s, file: p.file, line: p.line });
      published.set(p.published.port, list);
    }
  }
  for (const [label, map] of [['port', byPort], ['published host port', published]] as const) {
    for (const [port, users] of [...map].sort((a, b) => a[0] - b[0])) {
      if (users.length < 2) continue;
      out.push(problem('port-conflict', 'high', users[0].file, users[0].line, users.map((u) => u.s.name).join(', '),
        `${label} ${port} is used by ${users.length} services: ${users.map((u) => `${u.s.name} (${where(u.file, u.line)})`).join(', ')}`));
    }
  }
  return out;
}

function loopback(services: Service[]): Problem[] {
  return services
    .filter((s) => s.kind === 'server' && s.bind && /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(s.bind.address))
    .map((s) => {
      const b = s.bind as NonNullable<Service['bind']>;
      const how = b.source === 'framework-default' ? `the ${s.framework} default` : b.source === 'env' ? `env ${b.env} default` : 'a literal';
      return problem('loopback-bind', 'medium', b.file, b.line, s.name, `${s.name} binds ${b.address} (${how}): unreachable from other containers and hosts; bind 0.0.0.0 (or a HOST variable) inside a container`);
    });
}

const INTERPRETER = /(?<![\w./-])((?:\/[\w.+-]+)+\/(?:python[\d.]*|node|nodejs|ruby|php|perl|java|deno|bun|uvicorn|gunicorn))(?![\w./-])/g;
const DEV_PATH = /(?<![\w.:/-])((?:\/(?:home|Users|root|mnt)\/[\w.@+-]+|[A-Za-z]:\\\\?[\w. -]+)(?:[/\\][\w.@+-]+)*)/g;

function hardCoded(files: SourceFile[]): Problem[] {
  const out: Problem[] = [];
  for (const f of files) {
    if (f.isTest || !(['node', 'python', 'shell'].includes(f.language ?? '') || f.base === 'package.json' || /^procfile$/i.test(f.base))) continue;
    const shebang = /^#!\s*(\S+)/.exec(f.text)?.[1];
    if (shebang && !/^\/(usr\/)?bin\/(env|sh|bash|dash|zsh)$/.test(shebang)) {
      out.push(problem('hardcoded-interpreter', 'low', f.rel, 1, null, `shebang names ${shebang}: use "#!/usr/bin/env ${shebang.split('/').pop()}"`));
    }
    const code = f.language ? codeOf(f) : f.text;
    const body = shebang ? code.replace(/^[^\n]*/, '') : code;
    for (const { m, line } of matchesWithLine(body, new RegExp(INTERPRETER.source, 'g'))) {
      out.push(problem('hardcoded-interpreter', 'medium', f.rel, line, null, `hard-coded interpreter ${m[1]}: works only where that path exists; call it by name from PATH`));
    }
    for (const { m, line } of matchesWithLine(body, new RegExp(DEV_PATH.source, 'g'))) {
      if (new RegExp(INTERPRETER.source).test(m[1])) continue;
      out.push(problem('hardcoded-path', 'medium', f.rel, line, null, `absolute path ${m[1]} from one machine: make it relative to the project or configurable`));
    }
  }
  return out;
}

const PLACEHOLDER = /^(changeme|change_me|password|secret|xxx+|your[-_].*|<.*>|\*+|example.*|dummy|none|null|test|todo|replace.*)$/i;
const SECRET_NAME = /^(?:[A-Za-z_]\w*?)?(password|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key|client_?secret|auth)\w*$/i;
const KEY_PATTERNS: Array<[RegExp, string]> = [
  [/AIza[0-9A-Za-z_-]{35}/g, 'Google API key'], [/\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, 'OpenAI-style secret key'],
  [/\bAKIA[0-9A-Z]{16}\b/g, 'AWS access key id'], [/\bgh[pousr]_[A-Za-z0-9]{36}\b/g, 'GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, 'Slack token'], [/-----BEGIN [A-Z ]*PRIVATE KEY-----/g, 'private key'],
];

const isEnvFile = (f: SourceFile) => /^\.env(\..+)?$/.test(f.base) && !/\.(example|sample|template|dist|defaults?|tpl)$/i.test(f.base);

function secrets(files: SourceFile[], tracked: Set<string> | null): Problem[] {
  const out: Problem[] = [];
  for (const f of files) {
    if (isEnvFile(f)) {
      const set = [...f.text.matchAll(/^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=\s*(.*)$/gm)].filter((m) => m[2].trim() !== '');
      const names = set.map((m) => m[1]);
      const secretNames = set.filter((m) => SECRET_NAME.test(m[1]) || /:\/\/[^:@\/\s]+:[^@\/\s]+@/.test(m[2])).map((m) => m[1]);
      const committed = tracked ? tracked.has(f.rel) : true;
      out.push(problem('committed-env', committed ? 'high' : 'low', f.rel, null, null,
        `${committed ? (tracked ? 'committed' : 'present in the source tree') : 'present (not tracked by git)'}: ${f.rel} sets ${names.length} variable(s)${secretNames.length ? `, secrets: ${secretNames.join(', ')}` : ''}; keep only an .env.example in the repository`));
      continue;
    }
    if (f.isTest || /^package(-lock)?\.json$|\.lock$/.test(f.base) || /\.(example|sample|template)$/i.test(f.base)) continue;
    if (!(f.language && ['node', 'python', 'shell'].includes(f.language)) && !['json', 'yml', 'yaml', 'toml', 'ini', 'cfg', 'conf', 'properties'].includes(f.ext)) continue;
    // Comments and docs show examples (`postgres://user:secret@host`); only code and config values count.
    const text = codeOf(f);
    const assign = /\b([A-Za-z_][\w]*)['"]?\s*(?::|=|:=)\s*(['"])([^'"\s]{6,})\2/g;
    for (const { m, line } of matchesWithLine(text, assign)) {
      if (!SECRET_NAME.test(m[1]) || PLACEHOLDER.test(m[3]) || /^\$|\$\{|^process\.env|^os\.environ|^\/|^https?:/.test(m[3])) continue;
      if (/^(?:[A-Z_]+_)?(?:TOKEN|SECRET|PASSWORD|KEY)(?:_FILE|_PATH|_HEADER|_NAME|_ENV)$/i.test(m[1])) continue;
      out.push(problem('credential-in-code', 'high', f.rel, line, null, `${m[1]} is assigned a literal secret in ${f.rel}:${line} (value not shown); read it from the environment`));
    }
    for (const [re, what] of KEY_PATTERNS) {
      for (const { line } of matchesWithLine(text, new RegExp(re.source, 'g'))) {
        out.push(problem('credential-in-code', 'high', f.rel, line, null, `${what} in ${f.rel}:${line} (value not shown); revoke it and read it from the environment`));
      }
    }
    for (const { m, line } of matchesWithLine(text, /\b[a-z][a-z0-9+]*:\/\/([^:@\/\s'"]+):([^@\/\s'"]+)@/g)) {
      if (/^\$|\$\{|^\{|^%|^\*+$|^<|^:/.test(m[2]) || PLACEHOLDER.test(m[2]) || /^(pass|pwd|secret|user)$/i.test(m[2])) continue;
      out.push(problem('credential-in-code', 'high', f.rel, line, null, `password in a URL for user "${m[1]}" in ${f.rel}:${line} (value not shown)`));
    }
  }
  return out;
}

function debugMode(input: ProblemInput): Problem[] {
  const out: Problem[] = [];
  for (const f of input.facts.values()) for (const d of f.debug) out.push(problem('debug-mode', 'medium', f.file, d.line, null, `debug mode on: ${d.what}; never in production (it can execute code sent by a client)`));
  for (const sh of input.shells) for (const l of sh.launches) if (l.reload) out.push(problem('debug-mode', 'low', sh.file, l.line, null, `development auto-reload in a start command: ${l.command}`));
  // A Node inspector open to the network runs any code a client sends.
  for (const f of input.files) {
    if (f.isTest || !(f.language === 'shell' || f.base === 'package.json' || /^dockerfile|compose.*\.ya?ml$|^procfile$/i.test(f.base))) continue;
    // In a Dockerfile, a stage other than the last is not the image that runs by default.
    const stages = /^dockerfile/i.test(f.base) ? [...f.text.matchAll(/^\s*FROM\s+\S+(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ line: lineAt(f.text, m.index ?? 0), name: m[1] ?? '' })) : [];
    for (const { m, line } of matchesWithLine(f.text, /--inspect(?:-brk)?(?:=([\w.:[\]]+))?/g)) {
      const open = !m[1] || /^(0\.0\.0\.0|\[?::\]?)(:|$)/.test(m[1]);
      const stage = stages.filter((s) => s.line < line).pop();
      const notFinal = stage && stage !== stages[stages.length - 1];
      const where = notFinal ? ` in build stage "${stage.name || stage.line}" (not the final image)` : '';
      out.push(problem('debug-mode', open && !notFinal ? 'medium' : 'low', f.rel, line, null, `Node inspector enabled (${m[0]})${open && m[1] ? ' on all interfaces' : ''}${where}: development only`));
    }
  }
  for (const f of input.files.filter(isEnvFile)) {
    for (const m of f.text.matchAll(/^\s*(FLASK_DEBUG|DEBUG|APP_DEBUG)\s*=\s*['"]?(1|true|yes|on)\b/gim)) out.push(problem('debug-mode', 'medium', f.rel, lineAt(f.text, m.index ?? 0), null, `${m[1]} is on in ${f.rel}`));
  }
  return out;
}

function lines(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l.length > 2 && !/^(#|\/\/|\*|\/\*)/.test(l)));
}

function duplicates(input: ProblemInput): Problem[] {
  const out: Problem[] = [];
  const text = new Map(input.files.map((f) => [f.rel, f.text]));
  const code = input.services.filter((s) => s.kind === 'server' || s.kind === 'program');
  const sets = code.map((s) => lines(s.files.map((f) => text.get(f) ?? '').join('\n')));
  for (let i = 0; i < code.length; i++) {
    for (let j = i + 1; j < code.length; j++) {
      if (code[i].language !== code[j].language || sets[i].size < 5 || sets[j].size < 5) continue;
      let common = 0;
      for (const l of sets[i]) if (sets[j].has(l)) common++;
      const similarity = common / (sets[i].size + sets[j].size - common);
      if (similarity >= 0.85) {
        out.push(problem('duplicate-service', 'medium', code[j].entry, null, `${code[i].name}, ${code[j].name}`, `${code[i].name} (${code[i].entry}) and ${code[j].name} (${code[j].entry}) are ${Math.round(similarity * 100)}% identical: keep one and configure it`));
      }
    }
  }
  return out;
}

export function findProblems(input: ProblemInput): Problem[] {
  const { services, files } = input;
  const out = [...portConflicts(services), ...loopback(services), ...hardCoded(files), ...secrets(files, input.tracked), ...debugMode(input)];
  for (const s of services.filter((x) => x.kind === 'server' && !x.health)) {
    out.push(problem('no-health-endpoint', 'low', s.entry, null, s.name, `${s.name} has no health endpoint: orchestration cannot tell a live service from a hung one`));
  }
  out.push(...duplicates(input));
  const scripts = input.shells.filter((s) => s.isStartStop);
  const single = files.some((f) => f.dir === '.' && (/^(makefile|procfile)$/i.test(f.base) || /^(docker-)?compose\.ya?ml$/.test(f.base)));
  if (scripts.length >= 3 && !single) {
    out.push(problem('no-single-entry-point', 'medium', scripts[0].file, null, null, `${scripts.length} start/stop scripts (${scripts.map((s) => s.file).join(', ')}) and no single entry point (Makefile, compose file or Procfile at the root)`));
  }
  for (const s of services.filter((x) => x.kind === 'unsupported')) out.push(problem('unsupported-language', 'low', s.entry, null, s.name, `${s.name}: ${s.language} is not analysed in depth (${s.reason.replace(/ \(language not analysed.*$/, '')}); check its ports and dependencies by hand`));
  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
  return out.sort((a, b) => rank[a.severity] - rank[b.severity] || a.rule.localeCompare(b.rule) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}
