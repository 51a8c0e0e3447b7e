// `make cluster NODES=N` / `make cluster-down` (scripts/cluster.sh [--nodes N] [--down]): a Swarm of
// N nodes on this machine, this engine the manager and N-1 Docker-in-Docker workers (docs/SCALING.md).
import { defineCommand } from './lib/command/define.ts';
import { ensureEngine } from './lib/engine.ts';
import { readProjectName } from './lib/env.ts';
import { UsageError } from './lib/errors.ts';
import { formatDuration, info, table } from './lib/output.ts';
import { downCluster, upCluster } from './lib/swarm/cluster.ts';
import { registryPort } from './lib/swarm/settings.ts';

const clusterCommand = {
  name: 'cluster.sh',
  summary: 'Start a Swarm of N nodes on this machine (this engine the manager, N-1 Docker-in-Docker workers), or remove it with --down.',
  options: {
    nodes: { type: 'string', value: 'N', help: 'nodes in the cluster, this host counted (2 to 9; default 3)' },
    down: { type: 'boolean', default: false, help: 'remove the worker nodes and the registry, and leave the swarm' },
  },
  examples: ['make cluster NODES=3', 'make cluster-down'],
  locks: true,
} as const;

await defineCommand(clusterCommand, {
  validate: (parsed) => {
    const nodes = parsed.values.nodes ?? '3';
    if (!/^\d+$/.test(nodes) || Number(nodes) < 2 || Number(nodes) > 9)
      throw new UsageError(`NODES=${nodes} is not a cluster size: give a whole number from 2 to 9 (this host counted), e.g. make cluster NODES=3`);
    return parsed;
  },
  run: async ({ values }) => {
    const started = Date.now();
    const project = readProjectName();
    await ensureEngine();
    if (values.down) {
      const removed = await downCluster(project);
      info(`cluster: removed ${removed.length} node(s)${removed.length ? ` (${removed.join(', ')})` : ''} and the registry; this engine left the swarm`);
      return;
    }
    const nodes = await upCluster(project, Number(values.nodes ?? '3'), registryPort());
    console.log(table([['NODE', 'ROLE', 'STATUS', 'ADDRESS'], ...nodes.map((n) => [n.hostname, n.role, n.status, n.address])]));
    info(`cluster: ${nodes.length} nodes ready in ${formatDuration((Date.now() - started) / 1000)}; make start ARGS=--swarm deploys the stack on it`);
  },
});
