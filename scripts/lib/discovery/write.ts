// Report files appear complete or not at all: written under a temp name, then renamed.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** Writes the Markdown report and the JSON inventory; returns their paths. */
export function writeReports(inv: Inventory, outDir: string): { markdown: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const markdown = path.join(outDir, `${REPORT_BASENAME}.md`);
  const json = path.join(outDir, `${REPORT_BASENAME}.json`);
  writeAtomic(json, `${JSON.stringify(inv, null, 2)}\n`);
  writeAtomic(markdown, renderMarkdown(inv));
  return { markdown, json };
}
