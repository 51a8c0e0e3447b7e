// `make discover SRC=path`: inventory a codebase's services, dependencies and problems (no Docker).
import path from 'node:path';
import { ScanInputError, scan } from './lib/discovery/inventory.ts';
import { probeInventory } from './lib/discovery/probe.ts';
import { writeReports } from './lib/discovery/write.ts';
import { type CommandSpec, type OptionSpec, type Parsed, defineCommand, usageLine } from './lib/command/define.ts';
import { OperationError, UsageError } from './lib/errors.ts';
import { info, warn } from './lib/output.ts';
import { projectRoot } from './lib/paths.ts';

const discoverCommand = {
  name: 'discover.sh',
  summary: `Inventories a codebase without running any of it: services (one row per project, with every
file:line it was found in), ports, dependencies, data stores, external APIs and problems. Writes
01_SERVICE_DISCOVERY_ANALYSIS.md and .json into --out (default: docs/reports).`,
  positionals: { name: 'PATH', max: 1, help: 'the codebase to scan (a folder, read only)' },
  options: {
    json: { type: 'boolean', help: 'also print the inventory as JSON on stdout (shape: docs/discovery-schema.json)' },
    probe: { type: 'boolean', help: 'check which ports answer on 127.0.0.1 now (connects nowhere else)' },
    out: { type: 'string', value: 'DIR', help: 'where to write the two report files (default docs/reports)' },
  },
  examples: ['make discover SRC=../shop', 'make discover SRC=services ARGS="--out docs/reports"', 'scripts/discover.sh --json --out /tmp/shop-report ../shop'],
} as const satisfies CommandSpec<Record<string, OptionSpec>>;

interface Args {
  json: boolean;
  probe: boolean;
  out: string;
  src: string;
}

/** The parsed command line as the scan needs it; a missing PATH is a usage error. */
export function discoverArgs({ values, positionals }: Parsed<typeof discoverCommand.options>): Args {
  const [src] = positionals;
  if (!src) throw new UsageError(`missing PATH: usage: ${usageLine(discoverCommand)}`);
  if (values.out === '') throw new UsageError(`--out needs a folder: usage: ${usageLine(discoverCommand)}`);
  return { json: values.json, probe: values.probe, out: values.out ?? path.join(projectRoot, 'docs', 'reports'), src };
}

// `discover --json | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

await defineCommand(discoverCommand, { validate: discoverArgs, run: discover });

async function discover(args: Args): Promise<void> {
  let inventory;
  try {
    // The label is the path as the user gave it, relative to the working folder when inside it.
    const rel = path.relative(process.cwd(), path.resolve(args.src));
    inventory = scan(args.src, { label: rel && !rel.startsWith('..') ? rel : path.resolve(args.src) });
  } catch (err) {
    if (err instanceof ScanInputError) throw new UsageError(err.message);
    throw err;
  }
  // Files that could not be read are named, once each; the scan goes on without them.
  for (const s of inventory.stats.skipped) if (/^unreadable|not valid/.test(s.reason)) warn(`skipped ${s.path}: ${s.reason}`);
  if (args.probe) await probeInventory(inventory);
  let written;
  try {
    written = writeReports(inventory, args.out);
  } catch (err) {
    throw new OperationError(`cannot write the report to ${args.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(inventory, null, 2)}\n`);
    return;
  }
  const count = (kind: string) => inventory.services.filter((s) => s.kind === kind).length;
  info(
    `discover: ${inventory.services.length} services (${count('server')} listening, ${count('program')} programs, ${count('static')} static, ${count('unsupported')} unsupported, ${count('container')} Dockerfiles, ${count('compose')} compose, ${count('script')} scripts), ${inventory.dependencies.length} dependencies, ${inventory.problems.length} problems in ${inventory.stats.ms} ms`,
  );
  info(`report: ${path.relative(process.cwd(), written.markdown) || written.markdown}`);
  info(`inventory: ${path.relative(process.cwd(), written.json) || written.json}`);
}
