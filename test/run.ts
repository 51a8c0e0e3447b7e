// `make test`: every suite in turn, output streamed, then one summary line `N passed, N failed`.
// Hand-written because the suites use four runners (node:test, bats, unittest, shellcheck/tsc) and
// CI reads one closing line; each runner's own counts are parsed from its machine-readable output.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { type Counts, type TapFailure, parseBatsFailures, parseTapCounts, parseTapFailures, parseUnittestCounts, sumCounts } from './lib/counts.ts';
import { layerViolations } from './lib/layers.ts';
import { skipShellStartupFiles } from '../scripts/lib/shell-level.ts';

const root = path.resolve(import.meta.dirname, '..');
const fast = process.argv.includes('--fast');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const results: Array<{ suite: string; counts: Counts }> = [];
const failures: Array<TapFailure & { suite: string }> = [];
let current = '';
const scratch = mkdtempSync(path.join(tmpdir(), 'galaxy-test-'));
$.cwd = root;
$.verbose = false;
// For every test and every script a test starts (they inherit this environment).
skipShellStartupFiles();

function heading(text: string) {
  process.stdout.write(`\n=== ${text} ===\n`);
}

async function stream(command: Promise<unknown> & AsyncIterable<string>) {
  for await (const line of command) process.stdout.write(`${line}\n`);
}

/** A failure of a suite that has no TAP of its own (typecheck, shellcheck, checks), for the digest. */
function fail(name: string, output: string) {
  failures.push({ suite: current, name, message: output.trim() || '(no output)' });
}

async function suite(name: string, body: () => Promise<Counts>) {
  if (only && !name.startsWith(only)) return;
  heading(name);
  current = name;
  const started = performance.now();
  let counts: Counts;
  try {
    counts = await body();
  } catch (err) {
    process.stdout.write(`suite ${name} could not run: ${(err as Error).message}\n`);
    fail('could not run', (err as Error).message);
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  process.stdout.write(
    `--- ${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${((performance.now() - started) / 1000).toFixed(1)}s)\n`,
  );
  results.push({ suite: name, counts });
}

function listFiles(dir: string, suffix: string): string[] {
  const full = path.join(root, dir);
  return existsSync(full)
    ? readdirSync(full)
        .filter((f) => f.endsWith(suffix))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
}

/** node:test with the spec reporter on stdout and TAP to a file for counting. */
async function nodeTests(files: string[], cwd: string, extra: string[] = []): Promise<Counts> {
  if (!files.length) return { passed: 0, failed: 0, skipped: 0 };
  const tap = path.join(scratch, `${Math.random().toString(36).slice(2)}.tap`);
  const run = $({
    cwd,
    nothrow: true,
  })`node --import tsx --test ${extra} --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination=${tap} ${files}`;
  await stream(run);
  const out = await run;
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const counts = parseTapCounts(text);
  for (const failure of parseTapFailures(text)) failures.push({ ...failure, suite: current });
  if (out.exitCode !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

/** Service packages with their own lock file get their node_modules before typecheck and tests. */
async function installServicePackages() {
  for (const dir of readdirSync(path.join(root, 'services')).sort()) {
    const service = path.join(root, 'services', dir);
    if (existsSync(path.join(service, 'package-lock.json')) && !existsSync(path.join(service, 'node_modules'))) {
      process.stdout.write(`npm ci in services/${dir}\n`);
      await $({ cwd: service })`npm ci --no-audit --no-fund --loglevel=error`;
    }
  }
}

await suite('typecheck', async () => {
  await installServicePackages();
  const projects = [
    '.',
    ...readdirSync(path.join(root, 'services'))
      .map((d) => path.join('services', d))
      .filter((d) => existsSync(path.join(root, d, 'tsconfig.json'))),
  ];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const project of projects) {
    const tsc = path.join(root, 'node_modules/.bin/tsc');
    const out = await $({ nothrow: true })`${tsc} --noEmit -p ${project}`;
    process.stdout.write(`${out.exitCode === 0 ? 'ok' : 'FAIL'} tsc -p ${project}\n${out.stdout}`);
    if (out.exitCode !== 0) fail(`tsc -p ${project}`, out.stdout);
    counts[out.exitCode === 0 ? 'passed' : 'failed']++;
  }
  return counts;
});

await suite('shellcheck', async () => {
  const files = (await $`git ls-files --cached --others --exclude-standard -- *.sh *.bash *.bats .ci/run`).stdout
    .split('\n')
    .filter((f) => f && existsSync(path.join(root, f)));
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const file of files) {
    const out = await $({ nothrow: true })`shellcheck -x ${file}`;
    if (out.exitCode !== 0) {
      process.stdout.write(out.stdout);
      fail(`shellcheck ${file}`, out.stdout);
    }
    counts[out.exitCode === 0 ? 'passed' : 'failed']++;
  }
  process.stdout.write(`shellcheck: ${files.length} files\n`);
  return counts;
});

await suite('checks', async () => {
  // dpdm (from npm) resolves every import, type-only ones included: no cycles anywhere, and the
  // resolved graph keeps to the layers (test/lib/layers.ts; scripts/ never imports bench/ or test/).
  const bin = path.join(root, 'node_modules/.bin');
  const graphFile = path.join(scratch, 'imports.json');
  const cycles = await $({
    nothrow: true,
  })`${path.join(bin, 'dpdm')} --no-warning --no-tree --exit-code circular:1 -o ${graphFile} ${'scripts/**/*.ts'} ${'bench/**/*.ts'} ${'test/**/*.ts'}`;
  process.stdout.write(`${cycles.exitCode === 0 ? 'ok' : 'FAIL'} no import cycles (dpdm)\n${cycles.exitCode === 0 ? '' : cycles.stdout}`);
  const tree = existsSync(graphFile)
    ? (JSON.parse(readFileSync(graphFile, 'utf8')) as { tree: Record<string, Array<{ id: string | null }> | null> }).tree
    : undefined;
  const broken = tree
    ? layerViolations(Object.fromEntries(Object.entries(tree).map(([file, deps]) => [file, (deps ?? []).flatMap((d) => (d.id ? [d.id] : []))])))
    : ['dpdm wrote no dependency graph'];
  process.stdout.write(`${broken.length ? 'FAIL' : 'ok'} imports keep to the layers (dpdm graph)\n${broken.map((b) => `  ${b}\n`).join('')}`);
  // One layout for the TypeScript (Prettier from npm; what it covers: .prettierignore); `make format` fixes it.
  const format = await $({ nothrow: true })`${path.join(bin, 'prettier')} --list-different .`;
  process.stdout.write(`${format.exitCode === 0 ? 'ok' : 'FAIL'} formatted (prettier; run make format)\n${format.stdout}`);
  if (cycles.exitCode !== 0) fail('no import cycles (dpdm)', cycles.stdout);
  if (broken.length) fail('imports keep to the layers', broken.join('\n'));
  if (format.exitCode !== 0) fail('formatted (prettier; run make format)', `files: ${format.stdout}`);
  const verdicts = [cycles.exitCode === 0, broken.length === 0, format.exitCode === 0];
  const passed = verdicts.filter(Boolean).length;
  return { passed, failed: verdicts.length - passed, skipped: 0 };
});

await suite('unit', () => nodeTests(listFiles('test/unit', '.test.ts'), root));

await suite('services', async () => {
  const totals: Counts[] = [];
  for (const dir of readdirSync(path.join(root, 'services')).sort()) {
    const service = path.join(root, 'services', dir);
    const nodeFiles = listFiles(path.join('services', dir, 'test'), '.test.ts').map((f) => path.relative(service, path.join(root, f)));
    if (nodeFiles.length) {
      totals.push(await nodeTests(nodeFiles, service));
    }
    if (existsSync(path.join(service, 'tests'))) {
      const run = await $({ cwd: service, nothrow: true })`python3 -m unittest discover -s tests -v`;
      process.stdout.write(run.stderr);
      totals.push(parseUnittestCounts(run.stderr, run.exitCode ?? 1));
    }
  }
  return sumCounts(totals);
});

if (!fast) {
  // The engine first, so the bats surface tests run against a machine that has one (as a user's does).
  await suite('engine', async () => {
    const engine = await $({ nothrow: true })`${path.join(root, 'scripts/engine.sh')}`;
    process.stdout.write(engine.stdout + engine.stderr);
    return engine.exitCode === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  });
}

await suite('bats', async () => {
  const files = listFiles('test/bats', '.bats');
  if (!files.length) return { passed: 0, failed: 0, skipped: 0 };
  const run = $({ nothrow: true })`node_modules/bats/bin/bats --tap ${files}`;
  let text = '';
  for await (const line of run) {
    text += `${line}\n`;
    process.stdout.write(`${line}\n`);
  }
  const out = await run;
  const counts = parseTapCounts(text);
  for (const failure of parseBatsFailures(text)) failures.push({ ...failure, suite: 'bats' });
  if (out.exitCode !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
});

if (!fast) {
  await suite('integration', async () => {
    if (results.find((r) => r.suite === 'engine')?.counts.failed) throw new Error('no Docker engine: integration tests need one');
    return nodeTests(listFiles('test/integration', '.test.ts'), root, ['--test-concurrency=1']);
  });
}

const total = sumCounts(results.map((r) => r.counts));
if (failures.length) {
  // Repeated here because CI shows the end of the output, and each cause was printed far above.
  heading('failures');
  for (const f of failures) process.stdout.write(`✖ ${f.suite}: ${f.name}\n${f.message.replace(/^/gm, '    ')}\n`);
}
heading('summary');
for (const r of results) process.stdout.write(`${r.suite.padEnd(12)} ${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped\n`);
// One line per failure just above the last line: a CI page may show only the last few lines.
for (const f of failures) process.stdout.write(`✖ ${f.suite}: ${f.name}: ${f.message.split('\n').filter(Boolean).join(' | ').slice(0, 400)}\n`);
process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exitCode = total.failed > 0 || total.passed === 0 ? 1 : 0;
