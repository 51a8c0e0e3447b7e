// Suites owned by other parts of the kit (backup, deploy, discovery) run as child processes that
// print their figures as JSON on stdout (shape: bench/README.md). A missing file is "not
// available", not a failure: the part may not exist yet on this branch.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { parseChildOutput } from '../lib/figure.ts';
import type { Suite } from '../lib/suite.ts';

export function childSuite(name: string, file: string, what: string): Suite {
  return {
    name,
    what,
    async run(ctx) {
      const full = path.join(projectRoot, file);
      if (!existsSync(full)) return { figures: [], notAvailable: `${file} does not exist in this checkout` };
      const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');
      const child = $({
        cwd: projectRoot,
        env: { ...process.env, BENCH_RUNS: String(ctx.runs) },
        nothrow: true,
        quiet: true,
      })`${tsx} ${full} --runs ${String(ctx.runs)}`.timeout('3600s');
      // Their progress goes to our stderr as it happens; stdout is collected for the JSON.
      child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      const out = await child;
      if (out.exitCode !== 0) {
        const last = out.stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'no output';
        throw new Error(`${file} --runs ${ctx.runs} exited ${out.exitCode}: ${last}`);
      }
      return { figures: parseChildOutput(out.stdout, file) };
    },
  };
}
