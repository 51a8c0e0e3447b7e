// make rebalance (swarm mode, docs/SCALING.md). Swarm places a task when it starts one and never
// moves a running task: after a node was down or drained, its tasks run on the others and stay
// there when it comes back. For each replicated, stateless service with more than one replica
// whose tasks are spread unevenly over the nodes it may run on, a forced rolling update (the
// stack's update_config: one task at a time, health-gated, rolled back on failure), stop-first so
// that the scheduler, which prefers the nodes with the fewest tasks of that service, places every
// task again where it is needed (docker/swarm-spread.ts, replaceTasksStopFirst, says why).
import type { ComposeContext } from '../compose.ts';
import { readComposeConfig } from '../compose.ts';
import { replaceTasksStopFirst, servicePlacements } from '../docker/swarm-spread.ts';
import { type SwarmNode, swarmNodes } from '../docker/swarm.ts';
import { type SwarmTask, runningTasks, stackServices } from '../docker/swarm-stack.ts';
import { OperationError } from '../errors.ts';
import { formatDuration, info } from '../output.ts';
import { requireManager } from './deploy-stack.ts';
import { type ComposeConfig, holdsLocalState } from './stack-file.ts';

/** Running tasks of one service per node hostname. */
export type Spread = Record<string, number>;

/**
 * Pure: whether a service's tasks are spread unevenly over the nodes it may run on. Uneven: an
 * eligible node has none while a node has two or more, or the counts on eligible nodes differ by
 * more than one. Three tasks on three nodes must be one each; two on three may leave one empty.
 */
export function unevenSpread(spread: Spread, eligible: string[]): boolean {
  if (eligible.length < 2) return false;
  const counts = eligible.map((node) => spread[node] ?? 0);
  if (counts.includes(0) && Object.values(spread).some((n) => n >= 2)) return true;
  return Math.max(...counts) - Math.min(...counts) > 1;
}

const CONSTRAINT = /^\s*(node\.id|node\.hostname|node\.role|node\.labels\.[^\s!=]+)\s*(==|!=)\s*(.+?)\s*$/;

/**
 * Pure: the nodes (hostnames) a service may run on: ready, active, and matching each placement
 * constraint. A constraint on something a node record here does not carry (engine labels, the
 * platform) cannot be judged: `unknown` names it, and the service is left as it is.
 */
export function eligibleNodes(nodes: SwarmNode[], constraints: string[]): { nodes: string[] } | { unknown: string } {
  const tests: Array<(node: SwarmNode) => boolean> = [];
  for (const constraint of constraints) {
    const m = CONSTRAINT.exec(constraint);
    if (!m) return { unknown: constraint };
    const [, attribute, operator, value] = m;
    const valueOf = (node: SwarmNode): string | undefined =>
      attribute === 'node.id'
        ? node.id
        : attribute === 'node.hostname'
          ? node.hostname
          : attribute === 'node.role'
            ? node.role
            : node.labels[attribute.slice('node.labels.'.length)];
    tests.push((node) => (valueOf(node) === value) === (operator === '=='));
  }
  return { nodes: nodes.filter((n) => n.status === 'ready' && n.availability === 'active' && tests.every((t) => t(n))).map((n) => n.hostname) };
}

/** Pure: running tasks per node of one service (a task not yet placed has no node and is not counted). */
export function spreadOf(service: string, tasks: SwarmTask[]): Spread {
  const spread: Spread = {};
  for (const t of tasks) if (t.service === service && t.node && t.state.startsWith('Running')) spread[t.node] = (spread[t.node] ?? 0) + 1;
  return spread;
}

/** Pure: `vm×2 galaxy-node-2×1`, nodes in the cluster's order (the manager first), only those with tasks. */
export function describeSpread(spread: Spread, order: string[]): string {
  const rank = (node: string) => (order.includes(node) ? order.indexOf(node) : order.length);
  const nodes = Object.keys(spread)
    .filter((node) => spread[node] > 0)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return nodes.length ? nodes.map((node) => `${node}×${spread[node]}`).join(' ') : 'no running task';
}

export interface Candidate {
  service: string;
  replicas?: number;
  localState: boolean;
  constraints: string[];
}

export type Decision =
  | { service: string; action: 'move'; before: Spread; eligible: string[] }
  | { service: string; action: 'spread'; before: Spread }
  | { service: string; action: 'unjudged'; constraint: string };

/** Pure: what make rebalance does with each service; services with one replica, a global mode or local state are not in the answer. */
export function planRebalance(candidates: Candidate[], nodes: SwarmNode[], tasks: SwarmTask[]): Decision[] {
  return candidates
    .filter((c) => c.replicas !== undefined && c.replicas > 1 && !c.localState)
    .map((c): Decision => {
      const eligible = eligibleNodes(nodes, c.constraints);
      if ('unknown' in eligible) return { service: c.service, action: 'unjudged', constraint: eligible.unknown };
      const before = spreadOf(c.service, tasks);
      return unevenSpread(before, eligible.nodes)
        ? { service: c.service, action: 'move', before, eligible: eligible.nodes }
        : { service: c.service, action: 'spread', before };
    });
}

/** The cluster's nodes in the order spreads are shown: managers first, then by hostname. */
function nodeOrder(nodes: SwarmNode[]): string[] {
  return [...nodes].sort((a, b) => (a.role === b.role ? a.hostname.localeCompare(b.hostname) : a.role === 'manager' ? -1 : 1)).map((n) => n.hostname);
}

/** `make rebalance`: the plan from the live stack, then one forced rolling update per uneven service, in turn. Returns how many moved. */
export async function rebalanceOnSwarm(ctx: ComposeContext, project: string, timeoutSeconds: number): Promise<number> {
  await requireManager();
  const services = (await stackServices(project)).map((s) => s.service).sort();
  if (services.length === 0) throw new OperationError(`stack ${project} runs no service: make start ARGS=--swarm starts it`);
  const [config, placements, nodes, tasks] = await Promise.all([
    readComposeConfig(ctx).then((text) => JSON.parse(text) as ComposeConfig),
    servicePlacements(services.map((s) => `${project}_${s}`)),
    swarmNodes(),
    runningTasks(project),
  ]);
  const byName = new Map(placements.map((p) => [p.name, p]));
  const candidates = services.map((service): Candidate => {
    const placement = byName.get(`${project}_${service}`);
    const spec = config.services[service];
    // A stack service the compose files no longer name is treated as holding state: left alone.
    return { service, replicas: placement?.replicas, localState: !spec || holdsLocalState(spec), constraints: placement?.constraints ?? [] };
  });
  const plan = planRebalance(candidates, nodes, tasks);
  const order = nodeOrder(nodes);
  if (plan.length === 0) {
    info(`rebalance: no service of ${project} runs more than one replica without local state: nothing to spread (make scale service=NAME replicas=N)`);
    return 0;
  }
  let moved = 0;
  for (const decision of plan) {
    if (decision.action === 'unjudged')
      info(`${decision.service}: left as it is: its placement constraint '${decision.constraint}' is not one make rebalance reads`);
    else if (decision.action === 'spread') info(`${decision.service}: already spread (${describeSpread(decision.before, order)})`);
    else {
      const started = performance.now();
      await replaceTasksStopFirst(`${project}_${decision.service}`, timeoutSeconds);
      const after = spreadOf(decision.service, await runningTasks(project));
      // The scheduler weighs every task of a node, not only this service's: a tie can still land unevenly.
      const still = unevenSpread(after, decision.eligible) ? '; still uneven: make rebalance again' : '';
      info(
        `${decision.service}: ${describeSpread(decision.before, order)} → ${describeSpread(after, order)} (${formatDuration((performance.now() - started) / 1000)}${still})`,
      );
      moved++;
    }
  }
  return moved;
}
