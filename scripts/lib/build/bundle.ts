// Bundles every entry point (scripts/<verb>.ts and bench/main.ts) into .build/ with esbuild, so
// scripts/lib/run.sh starts plain JavaScript: compiling the TypeScript on every start cost a
// second of CPU (tsx), more than a health check's own work. Run by run.sh when stale.sh finds a
// source newer than the last build; `npm ci` stays the only install step.
//
// Each bundle keeps its entry's place two folders below the kit (.build/scripts/health.mjs for
// scripts/health.ts), where paths.ts finds the kit's root from its own URL, as it does in source.
// The packages (zx, dotenv, yaml) are bundled too: loaded from node_modules, node's CommonJS
// loader and its export scanner took longer than node's own start (300 ms on a busy machine).
// Bundled CommonJS calls `require` for node's built-in modules, which the banner provides.
import { mkdirSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kitRoot } from '../paths.ts';
import { buildDir, bundlePath, entryPoints, stampFile } from './entries.ts';

/** Writes through a temporary name: a run.sh starting at the same moment sees the old file or the new one. */
function writeAtomic(file: string, contents: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, contents);
  renameSync(temp, file);
}

async function main(): Promise<void> {
  // Taken before the sources are read: a file saved during the build is newer than the stamp.
  const started = new Date();
  const entries = entryPoints(kitRoot);
  // Imported here, not on top: a missing esbuild is the one-line warning below, not a stack trace.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: kitRoot,
    entryPoints: Object.fromEntries(entries.map((e) => [bundlePath(e).replace(/\.mjs$/, ''), e])),
    outdir: buildDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'silent',
    write: false,
  });
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  // Bundles of entries that no longer exist would still run: remove them.
  const wanted = new Set(result.outputFiles.map((f) => f.path));
  for (const folder of new Set(entries.map((e) => path.join(buildDir, path.dirname(e)))))
    for (const name of readdirSync(folder))
      if (/\.mjs(\.map)?$/.test(name) && !wanted.has(path.join(folder, name))) rmSync(path.join(folder, name), { force: true });
  writeAtomic(stampFile, new TextEncoder().encode(`${entries.join('\n')}\n`));
  utimesSync(stampFile, started, started);
}

try {
  await main();
} catch (err) {
  // run.sh runs the sources with tsx instead; this line says why it is slower.
  const detail = ((err as { errors?: Array<{ text: string }> }).errors?.[0]?.text ?? (err as Error).message).split('\n')[0];
  process.stderr.write(`warning: could not bundle the entry points into .build/ (${detail}); running them from source\n`);
  process.exitCode = 1;
}
