// The facts `make audit` judges, gathered once: one inspect of the project's running containers
// (through the Docker client), the @secret variables of .env.example with their .env values, and the
// backup settings and newest set from the backup owner. The decisions are in audit.ts.
import { readFileSync } from 'node:fs';
import { readBackupSettings } from '../backup/settings.ts';
import { newestBackup } from '../backup/summary.ts';
import type { ComposeModel } from '../compose.ts';
import { projectSecurity } from '../docker/security.ts';
import { parseEnvExample } from '../env.ts';
import { OperationError } from '../errors.ts';
import { envExampleFile } from '../paths.ts';
import { type AuditResult, runAudit } from './audit.ts';
import { secretsOf } from './secrets.ts';

export async function auditStack(model: ComposeModel, values: Record<string, string>): Promise<AuditResult> {
  const containers = await projectSecurity(model.project);
  if (!containers.length)
    throw new OperationError(`no container of project ${model.project} is running: the audit checks a running stack; run 'make start' first`);
  const backup = readBackupSettings(values);
  return runAudit({
    containers,
    model,
    secrets: secretsOf(parseEnvExample(readFileSync(envExampleFile, 'utf8')), values),
    backup,
    newest: newestBackup(backup),
    now: new Date(),
  });
}
