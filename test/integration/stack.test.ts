// The whole system through the real scripts and engine: start, health, restart, data surviving a
// stop/start, a stopped service turning health-check red, bad input, and the prod layering.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TestStack, explain, getJson } from '../harness/stack.ts';

interface HealthJson {
  healthy: boolean;
  services: Array<{ service: string; ok: boolean; state: string; health: string }>;
}

const stack = new TestStack();

describe('core stack', { timeout: 40 * 60_000 }, () => {
  before(async () => {
    await stack.init();
  });
  after(async () => {
    await stack.destroy();
  });

  test('start brings every service up healthy and prints the URL table', async () => {
    const result = await stack.script('start-all');
    assert.equal(result.exitCode, 0, explain(result));
    assert.match(result.stdout, /all \d+ services healthy in/);
    assert.match(result.stdout, new RegExp(`edge +http://127\\.0\\.0\\.1:${stack.ports.FRONTEND_PORT}/`));
  });

  test('health-check exits 0 and --json lists every compose service as ok', async () => {
    const result = await stack.script('health-check', ['--json']);
    assert.equal(result.exitCode, 0, explain(result));
    const report = JSON.parse(result.stdout) as HealthJson;
    assert.equal(report.healthy, true);
    const services = (await stack.compose(['config', '--services'])).stdout.trim().split('\n').sort();
    assert.deepEqual(report.services.map((s) => s.service).sort(), services);
  });

  test('the frontend serves the site and proxies /api/ to the backend', async () => {
    const page = await fetch(stack.url('FRONTEND_PORT', '/'));
    assert.equal(page.status, 200);
    const status = await getJson(stack.url('FRONTEND_PORT', '/api/status'));
    assert.equal(status.status, 200, JSON.stringify(status.body));
  });

  test('a second start is idempotent (ports held by the stack itself are fine)', async () => {
    const result = await stack.script('start-all');
    assert.equal(result.exitCode, 0, explain(result));
  });

  test('data written through the APIs survives stop and start', async () => {
    const title = `survivor-${Date.now()}`;
    const note = await getJson(stack.url('BACKEND_PORT', '/api/notes'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title, body: 'kept' }),
    });
    assert.equal(note.status, 201, JSON.stringify(note.body));
    const memory = await getJson(stack.url('MEMORY_API_PORT', '/conversations'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        session: title,
        messages: [
          { role: 'user', content: title },
          { role: 'assistant', content: 'remembered' },
        ],
      }),
    });
    assert.equal(memory.status, 201, JSON.stringify(memory.body));

    const stop = await stack.script('stop-all');
    assert.equal(stop.exitCode, 0, explain(stop));
    assert.match(stop.stdout, /data volumes kept/);
    const start = await stack.script('start-all');
    assert.equal(start.exitCode, 0, explain(start));

    const notes = (await getJson(stack.url('BACKEND_PORT', '/api/notes'))).body as { items: Array<{ title: string }> };
    assert.ok(
      notes.items.some((n) => n.title === title),
      `note ${title} missing after restart`,
    );
    const conversations = (await getJson(stack.url('MEMORY_API_PORT', '/conversations?limit=50'))).body as { items: Array<Record<string, unknown>> };
    assert.ok(JSON.stringify(conversations.items).includes(title), `conversation ${title} missing after restart`);
  });

  test('restart-service restarts one service and waits until it is healthy again', async () => {
    const before = (await stack.compose(['ps', '--format', '{{.Status}}', 'backend'])).stdout;
    const result = await stack.script('restart-service', ['backend']);
    assert.equal(result.exitCode, 0, explain(result));
    assert.match(result.stdout, /backend healthy again after/);
    const afterStatus = (await stack.compose(['ps', '--format', '{{.Status}}', 'backend'])).stdout;
    assert.notEqual(afterStatus, before);
  });

  test('restart-service refuses an unknown name with the list of valid names', async () => {
    const result = await stack.script('restart-service', ['bogus']);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /^error: unknown service 'bogus': use one of .*backend.*frontend/m);
  });

  test('health-check exits 1 and names the service while one is stopped', async () => {
    await stack.compose(['stop', 'experience-api']);
    try {
      const result = await stack.script('health-check', ['--json']);
      assert.equal(result.exitCode, 1, explain(result));
      const report = JSON.parse(result.stdout) as HealthJson;
      assert.equal(report.healthy, false);
      assert.deepEqual(
        report.services.filter((s) => !s.ok).map((s) => s.service),
        ['experience-api'],
      );
      const plain = await stack.script('health-check');
      assert.equal(plain.exitCode, 1);
      assert.match(plain.stdout, /unhealthy: experience-api/);
      assert.doesNotMatch(plain.stdout, /\x1b\[/, 'no colour codes without a TTY');
    } finally {
      await stack.compose(['start', 'experience-api']);
    }
  });

  test('logs shows per-service prefixes and filters with --grep', async () => {
    const result = await stack.script('logs', ['--tail', '50', '--grep', 'memory-api', 'memory-api']);
    assert.equal(result.exitCode, 0, explain(result));
    const lines = result.stdout.trim().split('\n');
    assert.ok(lines.length > 0);
    for (const line of lines) assert.match(line, /^memory-api-1 +\|/);
  });

  test('a busy host port is refused before anything starts, naming the process', async () => {
    const other = await new TestStack().init();
    const blocker = net.createServer().listen(other.ports.FRONTEND_PORT, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const result = await other.script('start-all');
      assert.equal(result.exitCode, 2, explain(result));
      assert.match(result.stderr, new RegExp(`error: port ${other.ports.FRONTEND_PORT} \\(edge\\) is in use by node \\(pid ${process.pid}\\)`));
      assert.equal((await other.compose(['ps', '-a', '-q'])).stdout.trim(), '', 'nothing was started');
    } finally {
      blocker.close();
      await other.destroy();
    }
  });

  test('stop --remove-data says which volumes it deletes, then the prod layering starts healthy', async () => {
    const stop = await stack.script('stop-all', ['--remove-data']);
    assert.equal(stop.exitCode, 0, explain(stop));
    assert.match(stop.stderr, new RegExp(`deleting \\d+ volume\\(s\\).*${stack.project}_postgres-data`));
    const start = await stack.script('start-all', ['--prod']);
    assert.equal(start.exitCode, 0, explain(start));
    const inspect = await stack.compose(['ps', '--format', '{{.Name}}', 'backend'], 'prod');
    const readOnly = await getReadOnly(inspect.stdout.trim());
    assert.equal(readOnly, 'true', 'prod backend runs with a read-only root filesystem');
    const health = await stack.script('health-check');
    assert.equal(health.exitCode, 0, explain(health));
  });
});

async function getReadOnly(container: string): Promise<string> {
  const { $ } = await import('zx');
  return (await $`docker inspect --format {{.HostConfig.ReadonlyRootfs}} ${container}`.quiet()).stdout.trim();
}
