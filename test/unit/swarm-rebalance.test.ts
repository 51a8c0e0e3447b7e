// make rebalance's decisions (scripts/lib/swarm/rebalance.ts): when a spread is uneven, which nodes
// a service may run on, and which services are touched at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SwarmNode } from '../../scripts/lib/docker/swarm.ts';
import type { SwarmTask } from '../../scripts/lib/docker/swarm-stack.ts';
import { describeSpread, eligibleNodes, planRebalance, spreadOf, unevenSpread } from '../../scripts/lib/swarm/rebalance.ts';

const node = (hostname: string, over: Partial<SwarmNode> = {}): SwarmNode => ({
  id: `id-${hostname}`,
  hostname,
  role: 'worker',
  status: 'ready',
  availability: 'active',
  address: '',
  labels: {},
  ...over,
});
const nodes = [node('m', { role: 'manager' }), node('w1', { labels: { zone: 'a' } }), node('w2', { labels: { zone: 'b' } })];
const three = ['m', 'w1', 'w2'];

test('uneven: an eligible node empty while another has two or more, or counts apart by more than one', () => {
  // After a node came back: it has none, another has two.
  assert.equal(unevenSpread({ m: 2, w1: 1 }, three), true);
  assert.equal(unevenSpread({ m: 1, w1: 1, w2: 1 }, three), false);
  // Fewer tasks than nodes: one node may stay empty, as long as no node doubles up.
  assert.equal(unevenSpread({ m: 1, w1: 1 }, three), false);
  assert.equal(unevenSpread({ m: 2 }, three), true);
  // More tasks than nodes: counts may differ by one, not two.
  assert.equal(unevenSpread({ m: 2, w1: 2, w2: 1 }, three), false);
  assert.equal(unevenSpread({ m: 3, w1: 1, w2: 1 }, three), true);
  // A node it may not run on does not make a spread uneven; one eligible node cannot be uneven.
  assert.equal(unevenSpread({ w1: 1, w2: 1 }, ['w1', 'w2']), false);
  assert.equal(unevenSpread({ m: 3 }, ['m']), false);
  // Tasks still on a node that is no longer eligible (drained), while eligible nodes are empty.
  assert.equal(unevenSpread({ m: 2 }, ['w1', 'w2']), true);
});

test('eligible nodes: ready and active, matching every constraint on id, hostname, role or node label', () => {
  assert.deepEqual(eligibleNodes(nodes, []), { nodes: three });
  assert.deepEqual(eligibleNodes(nodes, ['node.role == manager']), { nodes: ['m'] });
  assert.deepEqual(eligibleNodes(nodes, ['node.role != manager', 'node.labels.zone==b']), { nodes: ['w2'] });
  assert.deepEqual(eligibleNodes(nodes, ['node.hostname != w1']), { nodes: ['m', 'w2'] });
  assert.deepEqual(eligibleNodes(nodes, ['node.id == id-w1']), { nodes: ['w1'] });
  // A node label the node lacks: == fails, != holds (as Swarm reads it).
  assert.deepEqual(eligibleNodes(nodes, ['node.labels.zone != a']), { nodes: ['m', 'w2'] });
  const down = [node('m', { role: 'manager' }), node('w1', { status: 'down' }), node('w2', { availability: 'drain' })];
  assert.deepEqual(eligibleNodes(down, []), { nodes: ['m'] });
  // What a node record here does not carry is not guessed.
  assert.deepEqual(eligibleNodes(nodes, ['engine.labels.disk == ssd']), { unknown: 'engine.labels.disk == ssd' });
});

const task = (service: string, nodeName: string, state = 'Running 2 minutes ago'): SwarmTask => ({ service, node: nodeName, state, error: '' });

test('spread: running tasks per node; a task not placed or not running yet is not counted', () => {
  const tasks = [
    task('web', 'm'),
    task('web', 'm'),
    task('web', 'w1'),
    task('web', '', 'Pending 1 second ago'),
    task('web', 'w2', 'Starting 1 second ago'),
    task('api', 'w2'),
  ];
  assert.deepEqual(spreadOf('web', tasks), { m: 2, w1: 1 });
  assert.equal(describeSpread({ w1: 1, m: 2, w2: 0 }, three), 'm×2 w1×1');
  assert.equal(describeSpread({}, three), 'no running task');
});

test('plan: only replicated, stateless services with more than one replica; each moved, already spread, or left unjudged', () => {
  const tasks = [task('web', 'm'), task('web', 'm'), task('web', 'w1'), task('api', 'm'), task('api', 'w1'), task('api', 'w2'), task('db', 'm')];
  const plan = planRebalance(
    [
      { service: 'web', replicas: 3, localState: false, constraints: [] },
      { service: 'api', replicas: 3, localState: false, constraints: [] },
      { service: 'db', replicas: 2, localState: true, constraints: [] },
      { service: 'one', replicas: 1, localState: false, constraints: [] },
      { service: 'agent', replicas: undefined, localState: false, constraints: [] },
      { service: 'gpu', replicas: 2, localState: false, constraints: ['node.platform.arch == arm64'] },
      // Pinned to the manager: nowhere else to go, so never uneven.
      { service: 'pinned', replicas: 2, localState: false, constraints: ['node.role == manager'] },
    ],
    nodes,
    [...tasks, task('pinned', 'm'), task('pinned', 'm')],
  );
  assert.deepEqual(plan, [
    { service: 'web', action: 'move', before: { m: 2, w1: 1 }, eligible: three },
    { service: 'api', action: 'spread', before: { m: 1, w1: 1, w2: 1 } },
    { service: 'gpu', action: 'unjudged', constraint: 'node.platform.arch == arm64' },
    { service: 'pinned', action: 'spread', before: { m: 2 } },
  ]);
});
