// Problem rules: each reads the inventory and the scanned files and reports file:line and a message.
// Secrets are reported by file and variable name only; their values never leave this module.
import type { FileFacts } from './facts.ts';
import { codeOf, lineAt, matchesWithLine } from './text.ts';
import type { ShellFacts } from './shell.ts';
import { problem } from './problem.ts';
import { isEnvFile, secrets } from './secrets.ts';
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

function portConflicts(services: Service[]): Problem[] {
  const out: Problem[] = [];
  const byPort = new Map<number, Array<{ s: Service; file: string; line: number }>>();
  // Only processes that share a network namespace can clash on a port: the ones run on the host.
  // Each container (a Dockerfile, compose service or workload of its own) has its own ports.
  const containerised = (s: Service) => s.sources?.some((x) => x.kind === 'container' || x.kind === 'compose' || x.kind === 'manifest') ?? false;
  for (const s of services) {
    if (!['server', 'static', 'unsupported'].includes(s.kind) || containerised(s)) continue;
    for (const p of s.ports) {
      if (p.port === null) continue;
      const list = byPort.get(p.port) ?? [];
      if (!list.some((x) => x.s === s)) list.push({ s, file: p.file, line: p.line });
      byPort.set(p.port, list);
    }
  }
  // Host ports clash only within one compose project (a base file and its overlays): two separate
  // compose files are two stacks that are not started together.
  const published = new Map<string, Array<{ s: Service; file: string; line: number }>>();
  for (const s of services) {
    for (const p of s.ports) {
      if (p.published?.port == null) continue;
      const at = s.sources?.find((x) => x.kind === 'compose') ?? p;
      const key = `${composeProject(at.file)}|${p.published.port}`;
      const list = published.get(key) ?? [];
      if (!list.some((x) => x.s.name === s.name)) list.push({ s, file: at.file, line: at.line });
      published.set(key, list);
    }
  }
  const publishedList = [...published].map(([key, users]) => [Number(key.split('|')[1]), users] as const);
  for (const [label, list] of [
    ['port', [...byPort]],
    ['published host port', publishedList],
  ] as const) {
    for (const [port, users] of [...list].sort((a, b) => a[0] - b[0])) {
      if (users.length < 2) continue;
      out.push(
        problem(
          'port-conflict',
          'high',
          users[0].file,
          users[0].line,
          users.map((u) => u.s.name).join(', '),
          `${label} ${port} is used by ${users.length} services: ${users.map((u) => `${u.s.name} (${where(u.file, u.line)})`).join(', ')}`,
        ),
      );
    }
  }
  return out;
}

/** `docker-compose.prod.yml` belongs to the project of `docker-compose.yml` in the same folder. */
export function composeProject(file: string): string {
  return file.replace(/(^|\/)(docker-)?compose(\.[\w-]+)?\.ya?ml$/i, '$1compose');
}

/** Env vars and flags that set the address from outside the code (flask run, uvicorn, gunicorn). */
const HOST_OVERRIDE = /^(FLASK_RUN_HOST|HOST|BIND|BIND_ADDRESS|LISTEN_ADDRESS|LISTEN_HOST|SERVER_HOST|UVICORN_HOST|GUNICORN_CMD_ARGS)$/;

function loopback(services: Service[]): Problem[] {
  // A default address (not a literal) that a command line or an ENV in the image replaces.
  const overridden = (s: Service) =>
    s.bind?.source !== 'literal' && (s.env.some((e) => HOST_OVERRIDE.test(e)) || /(--host|--bind|-b|-H)[=\s]+['"]?(0\.0\.0\.0|::|\[::\])/.test(s.start ?? ''));
  return services
    .filter((s) => s.kind === 'server' && s.bind && /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(s.bind.address) && !overridden(s))
    .map((s) => {
      const b = s.bind as NonNullable<Service['bind']>;
      const how = b.source === 'framework-default' ? `the ${s.framework} default` : b.source === 'env' ? `env ${b.env} default` : 'a literal';
      return problem(
        'loopback-bind',
        'medium',
        b.file,
        b.line,
        s.name,
        `${s.name} binds ${b.address} (${how}): unreachable from other containers and hosts; bind 0.0.0.0 (or a HOST variable) inside a container`,
      );
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
      out.push(
        problem(
          'hardcoded-interpreter',
          'medium',
          f.rel,
          line,
          null,
          `hard-coded interpreter ${m[1]}: works only where that path exists; call it by name from PATH`,
        ),
      );
    }
    for (const { m, line } of matchesWithLine(body, new RegExp(DEV_PATH.source, 'g'))) {
      if (new RegExp(INTERPRETER.source).test(m[1])) continue;
      out.push(
        problem('hardcoded-path', 'medium', f.rel, line, null, `absolute path ${m[1]} from one machine: make it relative to the project or configurable`),
      );
    }
  }
  return out;
}

function debugMode(input: ProblemInput): Problem[] {
  const out: Problem[] = [];
  for (const f of input.facts.values())
    for (const d of f.debug)
      out.push(problem('debug-mode', 'medium', f.file, d.line, null, `debug mode on: ${d.what}; never in production (it can execute code sent by a client)`));
  for (const sh of input.shells)
    for (const l of sh.launches)
      if (l.reload) out.push(problem('debug-mode', 'low', sh.file, l.line, null, `development auto-reload in a start command: ${l.command}`));
  // A Node inspector open to the network runs any code a client sends.
  for (const f of input.files) {
    if (f.isTest || !(f.language === 'shell' || f.base === 'package.json' || /^dockerfile|compose.*\.ya?ml$|^procfile$/i.test(f.base))) continue;
    // In a Dockerfile, a stage other than the last is not the image that runs by default.
    const stages = /^dockerfile/i.test(f.base)
      ? [...f.text.matchAll(/^\s*FROM\s+\S+(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ line: lineAt(f.text, m.index ?? 0), name: m[1] ?? '' }))
      : [];
    for (const { m, line } of matchesWithLine(f.text, /--inspect(?:-brk)?(?:=([\w.:[\]]+))?/g)) {
      const open = !m[1] || /^(0\.0\.0\.0|\[?::\]?)(:|$)/.test(m[1]);
      const stage = stages.filter((s) => s.line < line).pop();
      const notFinal = stage && stage !== stages[stages.length - 1];
      const where = notFinal ? ` in build stage "${stage.name || stage.line}" (not the final image)` : '';
      out.push(
        problem(
          'debug-mode',
          open && !notFinal ? 'medium' : 'low',
          f.rel,
          line,
          null,
          `Node inspector enabled (${m[0]})${open && m[1] ? ' on all interfaces' : ''}${where}: development only`,
        ),
      );
    }
  }
  // Development modes set in what runs in production: a Dockerfile's final stage, a compose file
  // that is not a dev/local/test overlay. Values in a dev overlay are what it is for.
  // A base compose file whose folder has a production overlay: the overlay sets what production uses.
  const prodOverlay = new Set(input.files.filter((f) => /^(docker-)?compose[.-](prod|production)\.ya?ml$/i.test(f.base)).map((f) => f.dir));
  for (const f of input.files) {
    const dockerfile = /^dockerfile/i.test(f.base);
    if (/^(docker-)?compose\.ya?ml$/i.test(f.base) && prodOverlay.has(f.dir)) continue;
    const prodCompose =
      /^(docker-)?compose([.-][\w-]+)*\.ya?ml$/i.test(f.base) &&
      !/(dev|develop|development|local|override|test|debug|ci)([.-]|\.ya?ml$)/i.test(f.base.replace(/^(docker-)?compose/i, ''));
    if (f.isTest || (!dockerfile && !prodCompose)) continue;
    const code = codeOf(f);
    const finalStage = dockerfile ? code.lastIndexOf('\nFROM ') : -1;
    for (const { m, line } of matchesWithLine(
      code,
      /\b(NODE_ENV|FLASK_ENV|APP_ENV|RAILS_ENV|RACK_ENV|ASPNETCORE_ENVIRONMENT|FLASK_DEBUG|DJANGO_DEBUG|APP_DEBUG)['"]?(?:[ \t]*[:=][ \t]*|[ \t]+)['"]?(development|dev|1|true|on)\b/gi,
    )) {
      if (dockerfile && m.index < finalStage) continue;
      out.push(problem('debug-mode', 'medium', f.rel, line, null, `${m[1]}=${m[2]} in ${f.rel}:${line}, a file used in production`));
    }
  }
  for (const f of input.files.filter(isEnvFile)) {
    for (const m of f.text.matchAll(/^\s*(FLASK_DEBUG|DEBUG|APP_DEBUG)\s*=\s*['"]?(1|true|yes|on)\b/gim))
      out.push(problem('debug-mode', 'medium', f.rel, lineAt(f.text, m.index ?? 0), null, `${m[1]} is on in ${f.rel}`));
  }
  return out;
}

function lines(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((l) => l.trim().replace(/\s+/g, ' '))
      .filter((l) => l.length > 2 && !/^(#|\/\/|\*|\/\*)/.test(l)),
  );
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
        out.push(
          problem(
            'duplicate-service',
            'medium',
            code[j].entry,
            null,
            `${code[i].name}, ${code[j].name}`,
            `${code[i].name} (${code[i].entry}) and ${code[j].name} (${code[j].entry}) are ${Math.round(similarity * 100)}% identical: keep one and configure it`,
          ),
        );
      }
    }
  }
  return out;
}

/** The same finding many times in one file (10,000 `app.run(debug=True)`): one entry with a count. */
export function collapse(problems: Problem[]): Problem[] {
  const byKey = new Map<string, Problem>();
  for (const p of problems) {
    const key = `${p.rule}|${p.file}|${p.service ?? ''}|${p.message}`;
    const first = byKey.get(key);
    if (first) first.count = (first.count ?? 1) + 1;
    else byKey.set(key, { ...p });
  }
  return [...byKey.values()];
}

export function findProblems(input: ProblemInput): Problem[] {
  const { services, files } = input;
  const out = [...portConflicts(services), ...loopback(services), ...hardCoded(files), ...secrets(files, input.tracked), ...debugMode(input)];
  for (const s of services.filter((x) => x.kind === 'server' && !x.health)) {
    out.push(
      problem('no-health-endpoint', 'low', s.entry, null, s.name, `${s.name} has no health endpoint: orchestration cannot tell a live service from a hung one`),
    );
  }
  out.push(...duplicates(input));
  const scripts = input.shells.filter((s) => s.isStartStop);
  const single = files.some((f) => f.dir === '.' && (/^(makefile|procfile)$/i.test(f.base) || /^(docker-)?compose\.ya?ml$/.test(f.base)));
  if (scripts.length >= 3 && !single) {
    out.push(
      problem(
        'no-single-entry-point',
        'medium',
        scripts[0].file,
        null,
        null,
        `${scripts.length} start/stop scripts (${scripts.map((s) => s.file).join(', ')}) and no single entry point (Makefile, compose file or Procfile at the root)`,
      ),
    );
  }
  for (const s of services.filter((x) => x.kind === 'unsupported'))
    out.push(
      problem(
        'unsupported-language',
        'low',
        s.entry,
        null,
        s.name,
        `${s.name}: ${s.language} is not analysed in depth (${s.reason.replace(/ \(language not analysed.*$/, '')}); check its ports and dependencies by hand`,
      ),
    );
  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
  return collapse(out).sort(
    (a, b) => rank[a.severity] - rank[b.severity] || a.rule.localeCompare(b.rule) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0),
  );
}
