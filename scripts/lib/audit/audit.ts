// `make audit` as one pure decision: every finding from the containers' inspect facts, the compose
// model, the @secret values and the backup owner's facts; plus the published-ports table.
import type { BackupSettings } from '../backup/settings.ts';
import type { BackupSummary } from '../backup/summary.ts';
import type { ComposeModel } from '../compose.ts';
import type { ContainerSecurity } from '../docker/security.ts';
import { backupFindings } from './backups.ts';
import { containerFindings, isLoopback, showAddress } from './containers.ts';
import { type Finding, type Severity, auditExitCode, countBySeverity, sortFindings } from './findings.ts';
import { type Secret, secretFindings } from './secrets.ts';

export interface AuditInput {
  containers: ContainerSecurity[];
  model: ComposeModel;
  secrets: Secret[];
  backup: BackupSettings;
  newest: BackupSummary | { missing: string };
  now: Date;
}

export interface PortRow {
  service: string;
  container: string;
  containerPort: string;
  address: string;
  /** loopback: this machine only; network: other machines can connect. */
  reach: 'loopback' | 'network';
}

export interface AuditResult {
  project: string;
  checkedAt: string;
  containers: number;
  ports: PortRow[];
  findings: Finding[];
  counts: Record<Severity, number>;
  exitCode: 0 | 1;
}

export function publishedPorts(containers: ContainerSecurity[]): PortRow[] {
  return containers
    .flatMap((c) =>
      c.ports.map((p) => ({
        service: c.service,
        container: c.name,
        containerPort: p.containerPort,
        address: showAddress(p.hostIp, p.hostPort),
        reach: isLoopback(p.hostIp) ? ('loopback' as const) : ('network' as const),
      })),
    )
    .sort((a, b) => a.service.localeCompare(b.service) || a.container.localeCompare(b.container));
}

export function runAudit(input: AuditInput): AuditResult {
  const findings = sortFindings([
    ...containerFindings(input.containers, input.model),
    ...secretFindings(input.containers, input.secrets),
    ...backupFindings(input.backup, input.newest, input.now),
  ]);
  return {
    project: input.model.project,
    checkedAt: input.now.toISOString().replace(/\.\d+Z$/, 'Z'),
    containers: input.containers.length,
    ports: publishedPorts(input.containers),
    findings,
    counts: countBySeverity(findings),
    exitCode: auditExitCode(findings),
  };
}
