// The report's "Security audit" section (pure): the counts of `make audit` and one line per kind
// of finding with the services it concerns.
import type { AuditResult } from '../audit/audit.ts';
import { summarize } from '../audit/findings.ts';

export function renderAudit(result: AuditResult | { missing: string }): string[] {
  if ('missing' in result) return ['## Security audit', '', `Not measured: ${result.missing}. Run \`make audit\`.`, ''];
  const { high, medium, low } = result.counts;
  const network = result.ports.filter((p) => p.reach === 'network');
  const lines = summarize(result.findings);
  return [
    '## Security audit',
    '',
    `\`make audit\` at report time, ${result.containers} running containers: **${high} high, ${medium} medium, ${low} low** ` +
      `(${result.exitCode ? 'fails: a high finding' : 'passes: no high finding'}). ` +
      `${result.ports.length} published ports, ${network.length ? `${network.length} reachable from other machines (${network.map((p) => p.address).join(', ')})` : 'all on loopback'}.`,
    '',
    ...(lines.length
      ? [
          '| severity | check | what | services |',
          '| --- | --- | --- | --- |',
          ...lines.map((l) => `| ${l.severity} | ${l.check} | ${l.problem.replace(/\|/g, '\\|')} | ${l.services.join(', ')} |`),
        ]
      : ['No finding.']),
    '',
  ];
}
