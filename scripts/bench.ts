// `make bench` / scripts/bench.sh: the benchmark lives in bench/ and runs as its own process, so
// scripts/ never imports bench/ (test/unit/layers.test.ts). Its options, --help and exit code are
// bench/main.ts's; the exit code passes through unchanged.
import path from 'node:path';
import { $ } from 'zx';
import { runMain } from './lib/errors.ts';
import { kitRoot } from './lib/paths.ts';

await runMain(async () => {
  const tsx = path.join(kitRoot, 'node_modules', '.bin', 'tsx');
  const out = await $({ cwd: kitRoot, stdio: 'inherit', nothrow: true })`${tsx} ${path.join(kitRoot, 'bench', 'main.ts')} ${process.argv.slice(2)}`;
  return out.exitCode ?? 1;
});
