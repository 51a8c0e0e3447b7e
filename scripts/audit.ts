// `make audit` / scripts/audit.sh [--json]: checks the running stack (published addresses, root,
// capabilities, no-new-privileges, writable root filesystems, the Docker socket, secrets that
// inspect shows, backup encryption and age) and prints a table. Exit 1 on any high finding.
import { auditStack } from './lib/audit/gather.ts';
import { SEVERITIES } from './lib/audit/findings.ts';
import { defineCommand } from './lib/command/define.ts';
import { loadComposeModel } from './lib/compose.ts';
import { bold, green, info, red, table, yellow } from './lib/output.ts';
import { currentStack } from './lib/stack.ts';

const auditCommand = {
  name: 'audit.sh',
  summary:
    'Check the running stack: published ports and their addresses, root users, capabilities, no-new-privileges, writable root filesystems, the Docker socket, secrets shown by docker inspect, backup encryption and age. Exit 1 on any high finding.',
  options: { json: { type: 'boolean', default: false, help: 'one JSON document instead of the tables' } },
  examples: ['make audit', './scripts/audit.sh --json'],
} as const;

const paint = { high: red, medium: yellow, low: (text: string) => text };

await defineCommand(auditCommand, {
  run: async ({ values }) => {
    const { ctx, values: env } = await currentStack();
    const result = await auditStack(await loadComposeModel(ctx), env);
    if (values.json) {
      info(JSON.stringify(result, null, 2));
      return result.exitCode;
    }
    info(bold(`Published ports (${result.project}, ${result.containers} running containers)`));
    const ports = result.ports.map((p) => [p.service, p.container, p.containerPort, p.address, p.reach === 'network' ? red(p.reach) : p.reach]);
    info(ports.length ? table([['SERVICE', 'CONTAINER', 'PORT', 'ADDRESS', 'REACH'], ...ports]) : 'none');
    info('');
    info(bold('Findings'));
    const rows = result.findings.map((f) => [paint[f.severity](f.severity.toUpperCase()), f.check, f.container || f.service, f.problem, f.fix]);
    info(rows.length ? table([['SEVERITY', 'CHECK', 'WHERE', 'WHAT IS WRONG', 'WHAT TO DO'], ...rows]) : 'none');
    info('');
    const counts = SEVERITIES.map((s) => `${result.counts[s]} ${s}`).join(', ');
    info(result.exitCode ? red(`audit: ${counts}: fails on the high findings`) : green(`audit: ${counts}: passes (no high finding)`));
    return result.exitCode;
  },
});
