// `make adopt SRC=path [only=a,b] [ARGS=--dry-run]`: bring a codebase's services under the kit
// (Dockerfiles, docker-compose.adopted.yml, .env.example); docs/ADOPT.md. Logic: scripts/lib/adopt/.
import path from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'dotenv';
import { makePlan, planRows, writePlan } from './lib/adopt/adopt.ts';
import { FRONT_NAME, planFront } from './lib/adopt/front.ts';
import { type CommandSpec, type OptionSpec, type Parsed, defineCommand, usageLine } from './lib/command/define.ts';
import { UsageError } from './lib/errors.ts';
import { bold, info, table } from './lib/output.ts';
import { envFile, kitRoot, projectRoot } from './lib/paths.ts';

const adoptCommand = {
  name: 'adopt.sh',
  summary: `Brings a codebase's services under the kit: reads what make discover finds in PATH and writes
services/<name>/Dockerfile, docker-compose.adopted.yml (read by every command) and the .env.example
settings. Never overwrites a file changed since it wrote it.`,
  positionals: { name: 'PATH', max: 1, help: 'the codebase to adopt (read only; nothing is written there)' },
  options: {
    'dry-run': { type: 'boolean', help: 'print the plan (services, images, ports, volumes, problems) and write nothing' },
    only: { type: 'string', value: 'A,B', help: 'adopt only these services (names from the plan or make discover)' },
    'image-source': { type: 'string', value: 'MODE', help: 'offline (Debian packages, the default unless IMAGE_SOURCE=registry) or registry (pip)' },
  },
  examples: ['make adopt SRC=../shop ARGS=--dry-run', 'make adopt SRC=../shop only=api,worker', 'scripts/adopt.sh --dry-run ../shop'],
  locks: true,
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

function adoptArgs({ values, positionals }: Parsed<typeof adoptCommand.options>) {
  const [src] = positionals;
  if (!src) throw new UsageError(`missing PATH: usage: ${usageLine(adoptCommand)}`);
  if (!existsSync(src) || !statSync(src).isDirectory()) throw new UsageError(`${src} is not a folder: name the codebase to adopt (make adopt SRC=PATH)`);
  // Read, not validated: adopt is what adds the settings a validation would miss.
  const source = values['image-source'] ?? (existsSync(envFile) ? parse(readFileSync(envFile, 'utf8')).IMAGE_SOURCE : undefined);
  if (values['image-source'] !== undefined && !['offline', 'registry'].includes(source ?? ''))
    throw new UsageError(`--image-source must be offline or registry (got "${values['image-source']}")`);
  const only = (values.only ?? '').split(',').filter(Boolean);
  return { src, only, dryRun: values['dry-run'], imageMode: source === 'registry' ? ('registry' as const) : ('offline' as const) };
}

await defineCommand(adoptCommand, {
  validate: adoptArgs,
  run: async (args) => {
    const opts = { ...args, projectRoot, kitRoot, envFile };
    const plan = makePlan(opts);
    info(bold(`adopt: ${plan.services.length} service(s) from ${args.src} (${args.imageMode} images)${args.dryRun ? ' — dry run, nothing written' : ''}`));
    for (const s of plan.services) {
      info(`  ${s.name}: build context ${s.contextReason}; start ${s.command.join(' ') || "(the image's)"}`);
      if (s.port?.moved) info(`    port: ${s.port.moved}`);
      for (const note of s.notes) if (!note.startsWith('needs a code change')) info(`    ${note}`);
    }
    const front = planFront(plan.services).map((r) => r.service);
    if (front.length)
      info(`  ${FRONT_NAME}: nginx holding the host ports of ${front.join(', ')} (stateless HTTP): a deploy swaps them behind it with no request lost`);
    for (const line of [...plan.skipped, ...plan.problems]) info(line);
    if (!args.dryRun) {
      const { writer, envAdded } = writePlan(plan, opts);
      for (const r of writer.results)
        if (r.outcome === 'kept') info(`kept ${r.file}: changed since make adopt wrote it (delete it, or the block, to have it written again)`);
        else if (r.outcome === 'written') info(`wrote ${r.file}`);
      if (envAdded.length) {
        const shown = path.relative(process.cwd(), envFile);
        info(`env: added ${envAdded.join(', ')} to ${shown && !shown.startsWith('..') ? shown : envFile}`);
      }
    }
    info(`\n${table(planRows(plan))}`);
    info(args.dryRun ? `next: make adopt SRC=${args.src}` : 'next: make start');
  },
});
