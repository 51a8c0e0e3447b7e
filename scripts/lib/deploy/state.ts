// What is deployed, and what was: the deploy state file holds the current version of each
// deployed service (read by start/restart so they never silently revert a deploy) and the history
// file one line per deploy or rollback attempt (paths: state/files.ts).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../env.ts';
import { projectFiles, runDir } from '../state/files.ts';
import { versionVariable } from './version.ts';

export interface DeployedService {
  version: string;
  image: string;
  since: string;
}

export interface DeployState {
  services: Record<string, DeployedService>;
}

export interface HistoryEntry {
  time: string;
  action: 'deploy' | 'rollback';
  service: string;
  from: string;
  to: string;
  result: 'ok' | 'failed';
  seconds: number;
  error?: string;
}

export function stateFile(project: string, dir = runDir): string {
  return projectFiles(project, dir).deployState;
}

export function historyFile(project: string, dir = runDir): string {
  return projectFiles(project, dir).deployHistory;
}

export function readState(project: string, dir = runDir): DeployState {
  const file = stateFile(project, dir);
  if (!existsSync(file)) return { services: {} };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DeployState>;
  return { services: parsed.services ?? {} };
}

export function writeState(project: string, state: DeployState, dir = runDir): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(stateFile(project, dir), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The compose variables (`BACKEND_VERSION=...`) that pin every deployed service to its deployed
 * image. stack.ts merges these into the compose context so `make start` / `make restart` use them.
 */
export function deployedVersionEnv(project: string, dir = runDir): Record<string, string> {
  return versionEnv(readState(project, dir));
}

export function versionEnv(state: DeployState): Record<string, string> {
  return Object.fromEntries(Object.entries(state.services).map(([service, s]) => [versionVariable(service), s.version]));
}

export function appendHistory(project: string, entry: HistoryEntry, dir = runDir): void {
  mkdirSync(dir, { recursive: true });
  appendFileSync(historyFile(project, dir), `${JSON.stringify(entry)}\n`);
}

export function readHistory(project: string, dir = runDir): HistoryEntry[] {
  const file = historyFile(project, dir);
  if (!existsSync(file)) return [];
  return parseHistory(readFileSync(file, 'utf8'));
}

/** One JSON object a line; a torn last line (crash while appending) is skipped, not fatal. */
export function parseHistory(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as HistoryEntry);
    } catch {
      /* torn line */
    }
  }
  return entries;
}

/**
 * The version a rollback returns to: the `from` of the newest successful deploy that produced the
 * current version. Rollbacks are not followed, so repeated rollbacks walk back through the chain
 * of deploys (C -> B -> A) instead of toggling between the last two.
 */
export function rollbackTarget(history: HistoryEntry[], service: string, current: string): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry.service === service && entry.action === 'deploy' && entry.result === 'ok' && entry.to === current && entry.from !== current) return entry.from;
  }
  return undefined;
}
