// What a cron run leaves behind: log lines (stdout and an appended file) and, on success, the
// Prometheus textfile node-exporter's textfile collector reads for the BackupTooOld alert.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../env.ts';
import { info } from '../output.ts';

export class BackupLog {
  constructor(
    private readonly file: string,
    private readonly project: string,
    private readonly verb: string,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  line(message: string): void {
    info(`${this.verb}: ${message}`);
    this.append(message);
  }

  /** The log file only (the one-line error on stderr comes from runMain). */
  append(message: string): void {
    try {
      appendFileSync(this.file, `${new Date().toISOString()} ${this.project} ${this.verb}: ${message}\n`);
    } catch {
      // A full or read-only disk must not hide the real error behind a logging error.
    }
  }
}

export interface SuccessFacts {
  project: string;
  finishedAt: Date;
  durationSeconds: number;
  sizeBytes: number;
}

export function metricsFile(metricsDir: string, project: string): string {
  // One file per project: two stacks on one host never overwrite each other's numbers.
  return path.join(metricsDir, `galaxy_backup_${project}.prom`);
}

export function renderMetrics(facts: SuccessFacts): string {
  const label = `{project="${facts.project.replace(/["\\]/g, '')}"}`;
  const metric = (name: string, help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${label} ${value}\n`;
  return [
    metric(
      'galaxy_backup_last_success_timestamp_seconds',
      'Unix time the last complete backup set was written.',
      Math.round(facts.finishedAt.getTime() / 1000),
    ),
    metric('galaxy_backup_last_duration_seconds', 'Wall time of the last successful backup run.', Math.round(facts.durationSeconds * 1000) / 1000),
    metric('galaxy_backup_last_size_bytes', 'Total size of the files of the last backup set.', facts.sizeBytes),
  ].join('');
}

export function writeMetrics(metricsDir: string, facts: SuccessFacts): string {
  mkdirSync(metricsDir, { recursive: true });
  const file = metricsFile(metricsDir, facts.project);
  // Atomic: the collector reads the folder at any moment and must never see half a file.
  writeFileAtomic(file, renderMetrics(facts));
  return file;
}
