// The scored cases: each folder under test/fixtures/discovery holds `repo/` (a small codebase) and
// `truth.json` (what a person found in it). Scans every case and scores it against its truth.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from './inventory.ts';
import { scoreInventory, type Score, type Truth } from './score.ts';

export interface CaseResult {
  name: string;
  score: Score;
}

export function scoreCases(dir: string): CaseResult[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const out: CaseResult[] = [];
  for (const name of names) {
    const truthFile = path.join(dir, name, 'truth.json');
    const repo = path.join(dir, name, 'repo');
    if (!existsSync(truthFile) || !existsSync(repo)) continue;
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
    // Labelled with the case name: a service at the repository's root is named after it.
    const inv = scan(repo, { label: name, now: new Date(0) });
    out.push({ name, score: scoreInventory(inv, truth) });
  }
  return out;
}
