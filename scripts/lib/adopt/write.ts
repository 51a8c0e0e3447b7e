// Writing the plan's files without ever losing a hand edit: the sha256 of each text written is
// kept in .run/ (state/files.ts); a file whose content no longer matches it (or that adopt did
// not write) is kept and named. Temp name then rename for every file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { generateSecret, writeFileAtomic } from '../env.ts';
import { machineFiles } from '../state/files.ts';
import { GENERATED } from './render.ts';
import type { EnvEntry, ServicePlan } from './types.ts';

export type WriteOutcome = 'written' | 'unchanged' | 'kept';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const BEGIN = `# --- adopted services (${GENERATED}) ---`;
const END = '# --- end of adopted services ---';

/** Pure: write when absent, or when the file is still exactly what adopt wrote last time. */
export function writeDecision(current: string | undefined, recorded: string | undefined, next: string): WriteOutcome {
  if (current === undefined) return 'written';
  if (current === next) return 'unchanged';
  return recorded !== undefined && sha(current) === recorded ? 'written' : 'kept';
}

export class GuardedWriter {
  private readonly record: Record<string, string>;
  readonly results: Array<{ file: string; outcome: WriteOutcome }> = [];

  constructor(
    private readonly root: string,
    private readonly stateFile = machineFiles.adoptWritten,
  ) {
    this.record = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, string>) : {};
  }

  write(file: string, text: string, mode = 0o644): WriteOutcome {
    const key = path.relative(this.root, file);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const outcome = writeDecision(current, this.record[key], text);
    if (outcome === 'written') {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, text, mode);
    }
    if (outcome !== 'kept') this.record[key] = sha(text);
    this.results.push({ file: key, outcome });
    return outcome;
  }

  /** The block of adopted settings in .env.example, replaced as a whole under the same rule. */
  writeEnvBlock(file: string, entries: EnvEntry[], ports: Array<{ name: string; value: string }>): WriteOutcome {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const block = renderEnvBlock(entries, ports);
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    const current = start >= 0 && end > start ? text.slice(start, end + END.length + 1) : undefined;
    const key = `${path.relative(this.root, file)}#adopted`;
    const outcome = writeDecision(current, this.record[key], block);
    if (outcome === 'written') {
      const next = current !== undefined ? text.replace(current, block) : `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}\n${block}`;
      writeFileAtomic(file, next);
    }
    if (outcome !== 'kept') this.record[key] = sha(block);
    this.results.push({ file: key.replace('#adopted', ' (adopted block)'), outcome });
    return outcome;
  }

  save(): void {
    mkdirSync(path.dirname(this.stateFile), { recursive: true });
    writeFileAtomic(this.stateFile, `${JSON.stringify(this.record, null, 2)}\n`);
  }
}

export function renderEnvBlock(entries: EnvEntry[], ports: Array<{ name: string; value: string }>): string {
  const lines = [BEGIN, '# Host ports of the adopted services, published on 127.0.0.1.'];
  for (const p of ports) lines.push('# @required', `${p.name}=${p.value}`);
  for (const e of entries) lines.push(`# ${e.comment}`, `${e.name}=${e.value}`);
  return `${[...lines, END].join('\n')}\n`;
}

/** Adds to an existing .env the adopted settings it lacks (secrets fresh); returns their names. Never changes a value. */
export function addToEnv(file: string, plans: ServicePlan[]): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const defined = parse(text);
  const wanted: Array<[string, string]> = [];
  for (const p of plans) {
    if (p.port) wanted.push([p.port.hostVar, String(p.port.host)]);
    for (const e of p.envExample) wanted.push([e.name, e.secret ? generateSecret() : e.value]);
  }
  const missing = wanted.filter(([name]) => defined[name] === undefined);
  if (!missing.length) return [];
  const added = missing.map(([name, value]) => `${name}=${value}\n`).join('');
  writeFileAtomic(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}# Added by make adopt\n${added}`, 0o600);
  return missing.map(([name]) => name);
}
