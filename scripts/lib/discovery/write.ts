// Report files appear complete or not at all: written under a temp name, then renamed.
import { existsSync, mkdirSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderMarkdown } from './markdown.ts';
import type { Inventory } from './types.ts';

export const REPORT_BASENAME = '01_SERVICE_DISCOVERY_ANALYSIS';

export function writeAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

// Kernel filesystems (statfs magic numbers): files there are kernel interfaces, not storage, and
// writing to them can block or do something else entirely.
const SPECIAL_FS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x64626720: 'debugfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x73636673: 'securityfs',
  0x6e736673: 'nsfs',
  0x74726163: 'tracefs',
  0xcafe4a11: 'bpf',
};

/** The kernel filesystem `dir` (or its nearest existing parent) is on, or null for real storage. */
export function specialFilesystem(dir: string): string | null {
  let at = path.resolve(dir);
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    return SPECIAL_FS[statfsSync(at).type] ?? null;
  } catch {
    return null;
  }
}

/** Writes the Markdown report and the JSON inventory; returns their paths. */
export function writeReports(inv: Inventory, outDir: string): { markdown: string; json: string } {
  const special = specialFilesystem(outDir);
  if (special) throw new Error(`it is on the kernel's ${special} filesystem, not storage: choose a normal folder`);
  mkdirSync(outDir, { recursive: true });
  const markdown = path.join(outDir, `${REPORT_BASENAME}.md`);
  const json = path.join(outDir, `${REPORT_BASENAME}.json`);
  writeAtomic(json, `${JSON.stringify(inv, null, 2)}\n`);
  writeAtomic(markdown, renderMarkdown(inv));
  return { markdown, json };
}
