// Writes one benchmark session: bench/results/<timestamp>.json (the record the report reads; its
// shape and reader are scripts/lib/report/bench-results.ts) and <timestamp>.md (the table a person
// reads). Both go to a temp name first and are then renamed, so a reader never sees half a file and
// an interrupted run leaves only an ignored *.tmp behind.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Measurement, type Session, runCount } from '../../scripts/lib/report/bench-results.ts';

export type { Session, SuiteResult } from '../../scripts/lib/report/bench-results.ts';

/** File-name-safe UTC timestamp that sorts in time order: 2026-11-25T23-59-01Z. */
export function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

function format(value: number, unit: string): string {
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
  return unit ? `${text} ${unit}` : text;
}

function cell(m: Measurement): string {
  return `${format(m.median, m.unit)} (${format(m.min, '')}–${format(m.max, '')}, n=${runCount(m)})`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(session: Session): string {
  const lines = [
    `# Benchmark ${session.startedAt}`,
    '',
    `Host: ${Object.entries(session.host)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. Runs per figure: ${session.options.runs}. ` +
      'Each cell: median (min–max, number of runs). Written by `make bench`; no figure is typed by hand.',
    '',
    '| suite | figure | ours | comparison (same session) | command |',
    '| --- | --- | --- | --- | --- |',
  ];
  const notes: string[] = [];
  for (const suite of session.suites) {
    if (suite.status !== 'ok') {
      lines.push(`| ${suite.suite} | ${suite.status} | - | - | ${escape(suite.message ?? '')} |`);
      continue;
    }
    if (suite.message) notes.push(`- **${suite.suite}**: ${suite.message}`);
    for (const file of suite.files ?? []) notes.push(`- **${suite.suite}**: ![${suite.suite}](${file})`);
    for (const f of suite.figures) {
      const comparison = f.comparison ? `${cell(f.comparison)}: ${escape(f.comparison.name)}, \`${escape(f.comparison.command)}\`` : '-';
      lines.push(`| ${suite.suite} | ${escape(f.name)} | ${cell(f)} | ${comparison} | \`${escape(f.command)}\` |`);
      if (f.note) notes.push(`- ${f.name}: ${f.note}`);
    }
  }
  if (notes.length) lines.push('', '## Definitions and notes', '', ...notes);
  return `${lines.join('\n')}\n`;
}

function writeAtomic(file: string, text: string): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** A file a suite made (a chart), written beside the session as `<timestamp>-<suffix>`. */
export interface Attachment {
  suite: string;
  suffix: string;
  text: string;
}

/** Writes both files, and each suite's attachments first (the json names them); returns their paths. */
export function writeSession(dir: string, session: Session, attachments: Attachment[] = []): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, stamp(new Date(session.startedAt)));
  for (const a of attachments) {
    const file = `${base}-${a.suffix}`;
    writeAtomic(file, a.text);
    const suite = session.suites.find((s) => s.suite === a.suite);
    if (suite) suite.files = [...(suite.files ?? []), path.basename(file)];
  }
  const json = `${base}.json`;
  const markdown = `${base}.md`;
  writeAtomic(json, `${JSON.stringify(session, null, 2)}\n`);
  writeAtomic(markdown, renderMarkdown(session));
  return { json, markdown };
}
