// `make discover SRC=path`: inventory a codebase's services, dependencies and problems (no Docker).
// Usage: discover [--json] [--probe] [--out DIR] PATH
import path from 'node:path';
import { ScanInputError, scan } from './lib/discovery/inventory.ts';
import { probeInventory } from './lib/discovery/probe.ts';
import { writeReports } from './lib/discovery/write.ts';
import { OperationError, UsageError, runMain } from './lib/errors.ts';
import { info, warn } from './lib/output.ts';
import { projectRoot } from './lib/paths.ts';

const USAGE = 'usage: discover [--json] [--probe] [--out DIR] PATH';

const HELP = `${USAGE}

Inventories a codebase without running any of it: services (one row per project, with every
file:line it was found in), ports, dependencies, data stores, external APIs and problems. Writes
01_SERVICE_DISCOVERY_ANALYSIS.md and .json into DIR (default: docs/reports).

  --json      also print the inventory as JSON on stdout (shape: docs/discovery-schema.json)
  --probe     check which ports answer on 127.0.0.1 now (connects nowhere else)
  --out DIR   where to write the two report files
  -h, --help  this text

Examples:
  make discover SRC=../shop
  make discover SRC=services ARGS="--out docs/reports"
  scripts/discover.sh --json --out /tmp/shop-report ../shop
`;

interface Args {
  json: boolean;
  probe: boolean;
  out: string;
  src: string;
}

export function parseArgs(argv: string[]): Args | 'help' {
  if (argv.some((a) => a === '-h' || a === '--help')) return 'help';
  const args: Partial<Args> & { json: boolean; probe: boolean } = { json: false, probe: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--probe') args.probe = true;
    else if (a === '--out' || a.startsWith('--out=')) {
      const value = a === '--out' ? argv[++i] : a.slice('--out='.length);
      if (!value) throw new UsageError(`--out needs a folder; ${USAGE}`);
      args.out = value;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}; ${USAGE}`);
    else if (args.src !== undefined) throw new UsageError(`one PATH only (got ${args.src} and ${a}); ${USAGE}`);
    else args.src = a;
  }
  if (!args.src) throw new UsageError(`missing PATH; ${USAGE}`);
  return { json: args.json, probe: args.probe, out: args.out ?? path.join(projectRoot, 'docs', 'reports'), src: args.src };
}

// `discover --json | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

await runMain(async () => {
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(HELP);
    return;
  }
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
});
