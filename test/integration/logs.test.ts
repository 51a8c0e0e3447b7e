// Logs that outlive containers (docs/LOGS.md): a line a container wrote is still found by make
// logs after a deploy replaced that container and after `make stop ARGS=--remove-data`; --follow
// shows a new line; bad input is one line and exit 2. On a throwaway stack.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { $ } from 'zx';
import { type ServiceModel, parseComposeConfig } from '../../scripts/lib/compose.ts';
import { projectRoot } from '../../scripts/lib/paths.ts';
import { storeSize } from '../../scripts/lib/logs/store.ts';
import { projectFiles } from '../../scripts/lib/state/files.ts';
import { TestStack, explain } from '../harness/stack.ts';

const stack = new TestStack();
let target: ServiceModel;

/** The stateless service the test deploys, chosen by its labels: rolling, published, behind the entry point (the backend). */
function chooseTarget(services: ServiceModel[]): ServiceModel {
  const found = services.find((s) => s.deploy === 'rolling' && s.ports.length > 0 && s.healthPath && s.labels['galaxy.entry.path']);
  assert.ok(found, 'no rolling service with a published port and galaxy.entry.path in docker-compose.yml');
  return found;
}

async function containerId(service: string): Promise<string> {
  const ps = await stack.compose(['ps', '-q', service]);
  const ids = ps.stdout.trim().split('\n').filter(Boolean);
  assert.equal(ids.length, 1, `one ${service} container expected: ${ps.stdout}${ps.stderr}`);
  return ids[0].slice(0, 12);
}

/** A request whose path is the marker: the service logs the path of every request it answers. */
async function sendMarker(marker: string): Promise<void> {
  const port = target.ports[0].published;
  const response = await fetch(`http://127.0.0.1:${port}/${marker}`, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
}

/** make logs until the marker is there: the store writes a line within about a second; 30 s at most. */
async function logsWith(marker: string, extra: string[] = []) {
  let last = await stack.script('logs', [target.name, '--grep', marker, ...extra]);
  for (let i = 0; i < 30 && !last.stdout.includes(marker); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    last = await stack.script('logs', [target.name, '--grep', marker, ...extra]);
  }
  return last;
}

before(async () => {
  await stack.init();
  const start = await stack.script('start-all');
  assert.equal(start.exitCode, 0, explain(start));
  const config = await stack.compose(['config', '--format', 'json']);
  target = chooseTarget(parseComposeConfig(config.stdout).services);
});

after(() => stack.destroy());

test("make logs finds a line of a container that a deploy replaced, with that container's id", async () => {
  const marker = `logs-marker-${randomBytes(6).toString('hex')}`;
  const oldContainer = await containerId(target.name);
  await sendMarker(marker);
  const seen = await logsWith(marker);
  assert.equal(seen.exitCode, 0, explain(seen));
  assert.match(seen.stdout, new RegExp(`^${target.name}-${oldContainer.slice(0, 6)} +\\| \\S+Z INFO request .*path=/${marker}`, 'm'));

  const deploy = await stack.script('deploy', [target.name], {}, '600s');
  assert.equal(deploy.exitCode, 0, explain(deploy));
  const newContainer = await containerId(target.name);
  assert.notEqual(newContainer, oldContainer, 'the deploy replaced the container');
  const gone = await $({ nothrow: true, quiet: true })`docker inspect ${oldContainer}`;
  assert.notEqual(gone.exitCode, 0, 'the old container is removed, so only the store still has its lines');

  const after = await logsWith(marker, ['--since', '2d']);
  assert.equal(after.exitCode, 0, explain(after));
  const lines = after.stdout.split('\n').filter((line) => line.includes(marker));
  assert.equal(lines.length, 1, after.stdout);
  assert.ok(lines[0].startsWith(`${target.name}-${oldContainer.slice(0, 6)}`), lines[0]);
  // The new container's lines are in the same store, under its own id.
  const fresh = await stack.script('logs', [target.name, '--since', '1h', '--tail', 'all']);
  assert.match(fresh.stdout, new RegExp(`^${target.name}-${newContainer.slice(0, 6)} `, 'm'), fresh.stdout.slice(-2000));
});

test('--follow prints a line written after it started', async () => {
  const marker = `logs-follow-${randomBytes(6).toString('hex')}`;
  const follower = $({
    env: { ...process.env, ...stack.env },
    nothrow: true,
    quiet: true,
  })`${path.join(projectRoot, 'scripts', 'logs.sh')} --follow --tail 0 ${target.name}`;
  let output = '';
  follower.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    // Bounded: a request every second until the follower shows it, 30 at most.
    for (let i = 0; i < 30 && !output.includes(marker); i++) {
      await sendMarker(marker);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    follower.kill();
    await follower;
  }
  assert.match(output, new RegExp(`\\| \\S+Z INFO request .*path=/${marker}`), output.slice(-2000));
});

test('bad input is one clear line and exit 2', async () => {
  for (const [args, message] of [
    [['--since', 'yesterday'], /^error: --since takes a duration back from now .* not 'yesterday'$/],
    [['--follow', '--until', '1h'], /^error: --follow and --until exclude each other/],
    [['--tail', 'x'], /^error: --tail takes a number or 'all', not 'x'$/],
    [['no-such-service'], /^error: .*no-such-service/],
  ] as const) {
    const result = await stack.script('logs', [...args]);
    assert.equal(result.exitCode, 2, `${args.join(' ')}: ${explain(result)}`);
    assert.match(result.stderr.trim(), message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test('make stop --remove-data deletes the volumes but not the log store', async () => {
  const marker = `logs-keep-${randomBytes(6).toString('hex')}`;
  await sendMarker(marker);
  assert.equal((await logsWith(marker)).exitCode, 0);
  const stop = await stack.script('stop-all', ['--remove-data']);
  assert.equal(stop.exitCode, 0, explain(stop));
  const kept = await stack.script('logs', [target.name, '--grep', marker]);
  assert.equal(kept.exitCode, 0, explain(kept));
  assert.match(kept.stdout, new RegExp(`path=/${marker}`));
  assert.ok(storeSize(projectFiles(stack.project, stack.runDir).logsDir).bytes > 0);
});
