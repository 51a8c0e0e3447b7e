// The report in the structure of the original analysis template, plus a Mermaid dependency graph.
import { DATASTORE_IMAGES } from './catalog.ts';
import type { Dependency, Inventory, PortValue, Service } from './types.ts';

const GROUPS: Array<[Service['kind'], string]> = [
  ['server', 'Network services (listen on a port)'],
  ['program', 'Programs (no listening port found)'],
  ['static', 'Static frontends'],
  ['unsupported', 'Services in unsupported languages'],
  ['container', 'Container images (Dockerfiles)'],
  ['compose', 'Compose services'],
  ['script', 'Start/stop scripts'],
];

export function describePort(p: PortValue): string {
  const value = p.port === null ? 'unknown' : String(p.port);
  const from =
    p.source === 'env'
      ? `env ${p.env}${p.port !== null ? `, default ${p.port}` : ', no default'}`
      : p.source === 'config'
        ? `config ${p.config ?? p.file}`
        : p.source === 'framework-default'
          ? 'framework default'
          : p.source;
  const published = p.published ? `; published on ${p.published.address}:${p.published.port ?? '?'}${p.published.env ? ` (env ${p.published.env})` : ''}` : '';
  return `${value} (${from}, ${p.file}:${p.line}${published})`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string | null | undefined) => (text ? `\`${text.replace(/`/g, "'")}\`` : '—');

function serviceBlock(s: Service): string {
  const rows: Array<[string, string]> = [
    ['Kind / language', `${s.kind} / ${s.language}${s.framework ? ` (${s.framework})` : ''}`],
    ['Entry file', code(s.entry)],
    ['Port(s)', s.ports.length ? s.ports.map(describePort).join('<br>') : '—'],
    ['Bind address', s.bind ? `${s.bind.address} (${s.bind.source === 'env' ? `env ${s.bind.env}` : s.bind.source}, ${s.bind.file}:${s.bind.line})` : '—'],
    ['Start command', code(s.start)],
    ['Declared dependencies', s.dependencies.declared.join(', ') || '—'],
    ['Imported packages', s.dependencies.imported.join(', ') || '—'],
    ['Env vars read', s.env.join(', ') || '—'],
    ['Health endpoint', s.health ? code(s.health) : 'none found'],
    ['Metrics endpoint', s.metrics ? code(s.metrics) : 'none found'],
    ['Status', s.status],
    ['Why it is a service', s.reason],
  ];
  if ((s.sources?.length ?? 0) > 1)
    rows.push([
      'Found in',
      (s.sources ?? [])
        .map((x) => `${x.kind === 'manifest' ? 'Kubernetes' : x.kind} ${code(`${x.file}:${x.line}`)}${x.name ? ` (${x.name})` : ''}`)
        .join('<br>'),
    ]);
  if (s.launches?.length) rows.push(['Launches', s.launches.map((l) => `${code(l.command)} (line ${l.line}${l.target ? ` → ${l.target}` : ''})`).join('<br>')]);
  return `#### ${s.name}\n\n| | |\n| --- | --- |\n${rows.map(([k, v]) => `| ${k} | ${cell(v)} |`).join('\n')}\n`;
}

function edgeLabel(d: Dependency): string {
  return d.port !== null ? `${d.port}` : (d.scheme ?? 'name');
}

export function mermaid(inv: Inventory): string {
  // A compose service or image built from a code service's folder is drawn as that service.
  const alias = new Map<string, string>();
  for (const s of inv.services.filter((x) => x.kind === 'compose' || x.kind === 'container')) {
    const code = inv.services.find((c) => ['server', 'program', 'static'].includes(c.kind) && c.dir === s.dir && s.dir !== '.');
    if (code) alias.set(s.name, code.name);
  }
  const node = (name: string) => alias.get(name) ?? name;
  const label = (text: string) => text.replace(/"/g, "'");
  const ids = new Map<string, string>();
  const lines = ['graph LR'];
  const declare = (name: string, shape: 'service' | 'store' | 'external'): string => {
    const known = ids.get(name);
    if (known) return known;
    const id = `n${ids.size + 1}`;
    ids.set(name, id);
    const port = inv.services.find((s) => s.name === name)?.ports.find((p) => p.port !== null)?.port;
    if (shape === 'service') lines.push(`  ${id}["${label(name)}${port ? `<br>:${port}` : ''}"]`);
    else if (shape === 'store') lines.push(`  ${id}[("${label(name)}")]`);
    else lines.push(`  ${id}{{"${label(name)}"}}`);
    return id;
  };
  for (const s of inv.services) {
    if (s.kind === 'script' || s.kind === 'container' || alias.has(s.name)) continue;
    declare(s.name, s.kind === 'compose' && DATASTORE_IMAGES.some(([re]) => re.test(s.image ?? '')) ? 'store' : 'service');
  }
  const edges = new Set<string>();
  for (const d of inv.dependencies) {
    if (!inv.services.some((s) => s.name === d.from)) continue;
    const from = node(d.from);
    const to = d.resolved ? node(d.resolved) : d.kind === 'datastore' || d.kind === 'external' ? d.name : null;
    if (!to || to === from) continue;
    const edge = `  ${declare(from, 'service')} -->|${label(edgeLabel(d))}| ${declare(to, d.resolved ? 'service' : d.kind === 'external' ? 'external' : 'store')}`;
    if (!edges.has(edge)) lines.push(edge);
    edges.add(edge);
  }
  // A store or API known from a package or an env var (no URL in the code) still gets its edge.
  for (const [list, shape] of [
    [inv.datastores.map((d) => ({ name: d.type, users: d.users })), 'store'],
    [inv.externalApis, 'external'],
  ] as const) {
    for (const item of list) {
      for (const user of item.users) {
        const from = node(user);
        if (from === item.name || inv.dependencies.some((d) => node(d.from) === from && (d.name === item.name || d.resolved === item.name))) continue;
        const edge = `  ${declare(from, 'service')} -.->|uses| ${declare(item.name, shape)}`;
        if (!edges.has(edge)) lines.push(edge);
        edges.add(edge);
      }
    }
  }
  return lines.join('\n');
}

export function renderMarkdown(inv: Inventory): string {
  const out: string[] = [];
  out.push('# 01 — Service discovery analysis', '');
  out.push(`- **Date:** ${inv.generatedAt}`);
  out.push(`- **Scanned path:** \`${inv.root}\``);
  out.push(`- **Method:** ${inv.method}`);
  out.push(`- **Files:** ${inv.stats.files} seen, ${inv.stats.read} read, ${inv.stats.skipped.length} skipped; scan took ${inv.stats.ms} ms`);
  out.push(
    `- **Status:** ${inv.probed ? 'measured now with a TCP connect to 127.0.0.1 on each port' : 'not probed (run with --probe to check which ports answer)'}`,
    '',
  );
  out.push('## 1. Summary', '', '| kind | count |', '| --- | --- |');
  for (const [kind, title] of GROUPS) {
    const n = inv.services.filter((s) => s.kind === kind).length;
    if (n) out.push(`| ${title} | ${n} |`);
  }
  out.push(
    `| Problems (high / medium / low) | ${['high', 'medium', 'low'].map((sv) => inv.problems.filter((p) => p.severity === sv).length).join(' / ')} |`,
    '',
  );
  out.push('## 2. Services', '');
  out.push('| service | kind | file | port(s) | dependencies | start command | status |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const [kind] of GROUPS) {
    for (const s of inv.services.filter((x) => x.kind === kind)) {
      const deps = inv.dependencies.filter((d) => d.from === s.name).map((d) => d.resolved ?? d.name ?? d.target);
      const ports = s.ports.map((p) => (p.port === null ? '?' : String(p.port))).join(', ') || '—';
      out.push(
        `| ${cell(s.name)} | ${kind} | ${code(s.entry)} | ${ports} | ${cell([...new Set(deps)].join(', ') || '—')} | ${cell(code(s.start))} | ${s.status} |`,
      );
    }
  }
  out.push('');
  for (const [kind, title] of GROUPS) {
    const group = inv.services.filter((s) => s.kind === kind);
    if (!group.length) continue;
    out.push(`### ${title}`, '', ...group.map(serviceBlock));
  }
  out.push('## 3. Internal dependencies', '');
  const internal = inv.dependencies.filter((d) => d.kind === 'internal');
  out.push(
    ...(internal.length
      ? internal.map(
          (d) =>
            `- ${d.from} → ${d.resolved}${d.port !== null ? ` (${d.port})` : ''} — ${code(d.target)}${d.env ? ` via env ${d.env}` : ''}, ${d.file}:${d.line}`,
        )
      : ['none found']),
    '',
  );
  const unresolved = inv.dependencies.filter((d) => d.kind === 'unresolved');
  if (unresolved.length)
    out.push(
      'Unresolved (nothing found listening there):',
      '',
      ...unresolved.map((d) => `- ${d.from} → ${code(d.target)}${d.env ? ` via env ${d.env}` : ''}, ${d.file}:${d.line}`),
      '',
    );
  out.push('## 4. Data stores', '');
  out.push(
    ...(inv.datastores.length
      ? inv.datastores.map((d) => `- **${d.type}** — ${d.evidence} (${d.file}:${d.line}); used by ${d.users.join(', ') || '—'}`)
      : ['none found']),
    '',
  );
  const storeDeps = inv.dependencies.filter((d) => d.kind === 'datastore');
  if (storeDeps.length)
    out.push(...storeDeps.map((d) => `- ${d.from} → ${d.name} — ${code(d.target)}${d.env ? ` via env ${d.env}` : ''}, ${d.file}:${d.line}`), '');
  out.push('## 5. External dependencies', '');
  out.push(
    ...(inv.externalApis.length
      ? inv.externalApis.map((d) => `- **${d.name}** — ${d.evidence} (${d.file}:${d.line}); used by ${d.users.join(', ') || '—'}`)
      : ['none found']),
    '',
  );
  out.push('## 6. Dependency graph', '', '```mermaid', mermaid(inv), '```', '');
  out.push('## 7. Problems', '');
  if (!inv.problems.length) out.push('none found', '');
  else {
    out.push('| severity | rule | where | service | finding | fix |', '| --- | --- | --- | --- | --- | --- |');
    for (const p of inv.problems)
      out.push(
        `| ${p.severity} | ${p.rule} | ${code(p.line ? `${p.file}:${p.line}` : p.file)} | ${cell(p.service ?? '—')} | ${cell(p.message)}${p.count ? ` (${p.count} times)` : ''} | ${cell(p.fix)} |`,
      );
    out.push('');
  }
  if (inv.copies?.length) {
    out.push('Copies kept in backup or archive folders (not services; their URLs are not counted as dependencies):', '');
    out.push(...inv.copies.map((c) => `- ${code(c.dir)}${c.of ? ` — a copy of ${c.of}` : ''} (${code(c.entry)})`), '');
  }
  out.push('## 8. Recommendations', '', ...recommendations(inv).map((r, i) => `${i + 1}. ${r}`), '');
  if (inv.stats.skipped.length) out.push('## Appendix: skipped files', '', ...inv.stats.skipped.map((s) => `- ${code(s.path)}: ${s.reason}`), '');
  return out.join('\n');
}

function recommendations(inv: Inventory): string[] {
  const rules = new Set(inv.problems.map((p) => p.rule));
  const out: string[] = [];
  if (rules.has('committed-env') || rules.has('credential-in-code'))
    out.push('Remove committed secrets (rotate them first), keep an `.env.example` with names only, and read values from the environment.');
  if (rules.has('port-conflict')) out.push('Give every service its own port, read from an env var with a documented default, and list them in one table.');
  if (rules.has('loopback-bind'))
    out.push('Bind services to `0.0.0.0` inside containers (a HOST variable); restrict exposure with published ports on 127.0.0.1 instead.');
  if (rules.has('hardcoded-interpreter') || rules.has('hardcoded-path'))
    out.push('Replace machine-specific paths and interpreters with relative paths, PATH lookups and configuration.');
  if (rules.has('no-health-endpoint')) out.push('Add `GET /health` to every HTTP service so orchestration can tell healthy from hung.');
  if (rules.has('debug-mode')) out.push('Turn debug and auto-reload off outside development; drive them with an env var.');
  if (rules.has('duplicate-service')) out.push('Merge near-identical copies into one service configured by env vars.');
  if (rules.has('no-single-entry-point')) out.push('Replace the start scripts with one entry point (compose file and Makefile targets).');
  if (rules.has('unsupported-language')) out.push('Review unsupported-language services by hand: ports, dependencies and start commands were not analysed.');
  if (inv.dependencies.some((d) => d.kind === 'unresolved')) out.push('Check unresolved dependencies: nothing in the scanned tree listens there.');
  if (!inv.services.some((s) => s.kind === 'container' || s.kind === 'compose'))
    out.push('Containerise each service (Dockerfile + compose service with a healthcheck).');
  if (!out.length) out.push('No problems found by the rules; keep this report current by re-running `make discover`.');
  return out;
}
