// The whole system through the real scripts and engine: start, health, restart, data surviving a
// stop/start, who may write (token, Origin, content type, the edge's rate limit), a stopped service
// turning health-check red, bad input, and the prod layering.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { projectFiles } from '../../scripts/lib/state/files.ts';
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

  test("writes need the token; the site's own pages write through the edge; the edge answers 429 past its limit", async () => {
    const site = `http://127.0.0.1:${stack.ports.FRONTEND_PORT}`;
    const note = JSON.stringify({ title: `site-${Date.now()}` });
    const post = (url: string, headers: Record<string, string>, body = note) => getJson(url, { method: 'POST', headers, body });
    const json = { 'content-type': 'application/json' };
    // A page of the site: the browser sends its Origin, the frontend adds the token (docs/SECURITY.md).
    const fromSite = await post(stack.url('FRONTEND_PORT', '/api/notes'), { ...json, origin: site, 'sec-fetch-site': 'same-origin' });
    assert.equal(fromSite.status, 201, JSON.stringify(fromSite.body));
    assert.equal((await post(stack.url('FRONTEND_PORT', '/api/notes'), json)).status, 401, 'no Origin, no token: refused through the edge');
    assert.equal((await post(stack.url('FRONTEND_PORT', '/api/notes'), stack.writeHeaders())).status, 201, 'a client with the token');
    assert.equal((await post(stack.url('FRONTEND_PORT', '/api/chat'), { ...json, origin: 'http://evil.example' }, '{"message":"hi"}')).status, 403);
    for (const [port, path, body] of [
      ['BACKEND_PORT', '/api/notes', note],
      ['MEMORY_API_PORT', '/knowledge', '{"content": "x"}'],
      ['EXPERIENCE_API_PORT', '/experiences', '{"content": "x"}'],
    ]) {
      assert.equal((await post(stack.url(port, path), json, body)).status, 401, `${port} ${path} without a token`);
      assert.equal(
        (await post(stack.url(port, path), { ...stack.writeHeaders(), origin: 'http://evil.example' }, body)).status,
        403,
        `${port} ${path} from a foreign page`,
      );
      assert.equal(
        (await post(stack.url(port, path), { ...stack.writeHeaders(), 'content-type': 'text/plain' }, body)).status,
        415,
        `${port} ${path} as text/plain`,
      );
      assert.equal((await post(stack.url(port, path), stack.writeHeaders(), body)).status, 201, `${port} ${path} with the token`);
      assert.equal((await getJson(stack.url(port, '/health'))).status, 200, `${port} /health stays public`);
    }
    assert.equal((await getJson(stack.url('FRONTEND_PORT', '/api/status'))).status, 200, 'the status page stays public');
    // Unauthenticated writes count too (the edge limits before the backend looks): nothing is stored.
    const burst = await Promise.all(Array.from({ length: 60 }, () => post(stack.url('FRONTEND_PORT', '/api/notes'), json)));
    const limited = burst.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, `no 429 among ${burst.map((r) => r.status).join(' ')}`);
    assert.equal(typeof (limited[0].body as { error?: unknown }).error, 'string', 'the 429 is a JSON error');
    const reads = await Promise.all(Array.from({ length: 60 }, () => getJson(stack.url('FRONTEND_PORT', '/api/version'))));
    assert.deepEqual([...new Set(reads.map((r) => r.status))], [200], 'reads are never rate-limited');
  });

  test('a second start is idempotent (ports held by the stack itself are fine)', async () => {
    const result = await stack.script('start-all');
    assert.equal(result.exitCode, 0, explain(result));
  });

  test('data written through the APIs survives stop and start', async () => {
    const title = `survivor-${Date.now()}`;
    const note = await getJson(stack.url('BACKEND_PORT', '/api/notes'), {
      method: 'POST',
      headers: stack.writeHeaders(),
      body: JSON.stringify({ title, body: 'kept' }),
    });
    assert.equal(note.status, 201, JSON.stringify(note.body));
    const memory = await getJson(stack.url('MEMORY_API_PORT', '/conversations'), {
      method: 'POST',
      headers: stack.writeHeaders(),
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

  test('restart-service gives a single-writer service a plain restart, says so, and waits until it is healthy again', async () => {
    const before = (await stack.compose(['ps', '--format', '{{.Status}}', 'memory-api'])).stdout;
    const result = await stack.script('restart-service', ['memory-api']);
    assert.equal(result.exitCode, 0, explain(result));
    assert.match(result.stdout, /restart: memory-api \(galaxy\.deploy=recreate: a plain restart/);
    assert.match(result.stdout, /memory-api healthy again after/);
    const afterStatus = (await stack.compose(['ps', '--format', '{{.Status}}', 'memory-api'])).stdout;
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
    // From the log store (docs/LOGS.md): service and container id, then the time the line was written.
    for (const line of lines) assert.match(line, /^memory-api-[0-9a-f]{6} +\| \S+Z /);
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
    assert.match(start.stdout, /tls: made a self-signed certificate for HTTPS/);
    const inspect = await stack.compose(['ps', '--format', '{{.Name}}', 'backend'], 'prod');
    const readOnly = await getReadOnly(inspect.stdout.trim());
    assert.equal(readOnly, 'true', 'prod backend runs with a read-only root filesystem');
    const health = await stack.script('health-check');
    assert.equal(health.exitCode, 0, explain(health));
  });

  test('prod serves the site over HTTPS with the generated certificate, HSTS, and plain HTTP redirecting to it', async () => {
    const cert = projectFiles(stack.project).tlsCert;
    assert.equal(stack.envValue('TLS_CERT_FILE'), cert, 'the start wrote the generated pair into .env');
    const https = stack.url('EDGE_HTTPS_PORT', '/health').replace('http://', 'https://');
    const { $ } = await import('zx');
    const verified = await $({ nothrow: true })`curl -sS --max-time 10 --cacert ${cert} -D - -o /dev/null ${https}`;
    assert.equal(verified.exitCode, 0, verified.stderr);
    assert.match(verified.stdout, /^HTTP\/1\.1 200/);
    assert.match(verified.stdout, /^strict-transport-security: max-age=31536000/im);
    // The same request without the certificate: curl refuses an issuer it does not trust (exit 60).
    const untrusted = await $({ nothrow: true })`curl -sS --max-time 10 -o /dev/null ${https}`;
    assert.equal(untrusted.exitCode, 60, `${untrusted.stderr}`);
    const plain = await $({
      nothrow: true,
    })`curl -sS --max-time 10 -o /dev/null -w ${'%{http_code} %{redirect_url}'} ${stack.url('FRONTEND_PORT', '/notes?x=1')}`;
    assert.equal(plain.stdout, `308 https://127.0.0.1:${stack.ports.EDGE_HTTPS_PORT}/notes?x=1`);
    const health = await $({ nothrow: true })`curl -sS --max-time 10 -o /dev/null -w ${'%{http_code}'} ${stack.url('FRONTEND_PORT', '/health')}`;
    assert.equal(health.stdout, '200', 'health stays answerable over plain HTTP on the machine');
  });
});

async function getReadOnly(container: string): Promise<string> {
  const { $ } = await import('zx');
  return (await $`docker inspect --format {{.HostConfig.ReadonlyRootfs}} ${container}`.quiet()).stdout.trim();
}
