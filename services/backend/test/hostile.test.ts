// Hostile requests (issue #12): a bounded corpus over raw sockets to the backend's real server
// (createAppServer, as main.ts starts it) on 127.0.0.1, with PostgreSQL, Redis and the dependency
// checks faked (the tests never start containers). No answer is a 500, refusals are JSON, /health
// answers during and after, and nothing but JSON lines reaches stdout or stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { createAppServer, type AppDeps } from '../src/app.js';
import { PrometheusCharts } from '../src/prometheus.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import type { Cache } from '../src/cache.js';
import type { DependencyMonitor } from '../src/deps.js';
import { intParam, unstorable } from '../src/http.js';
import { type Answer, type Case, SITE, TOKEN, corpus, request } from './hostile-corpus.js';

/** One request on its own connection; the answer is read up to its Content-Length. */
function send(port: number, c: Case, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    let answered = false;
    const timer = setTimeout(() => finish(new Error('no answer within 10 s')), timeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return reject(err ?? new Error(`no HTTP answer: ${JSON.stringify(data.subarray(0, 200).toString('latin1'))}`));
      const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const length = Number(headers['content-length'] ?? 0);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    socket.on('error', () => finish()); // a reset after the answer is fine: what arrived is judged
    socket.on('close', () => finish());
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(data.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      if (data.length >= end + 4 + length && !answered) {
        answered = true;
        if (c.bodyAfter) socket.write(c.bodyAfter, () => finish());
        else finish();
      }
    });
    socket.write(c.raw, () => {
      if (c.halfClose) socket.end();
    });
  });
}

function problems(c: Case, a: Answer): string[] {
  const found: string[] = [];
  if (!c.expect.includes(a.status)) found.push(`${c.name}: got ${a.status}, expected ${c.expect.join(' or ')}: ${a.body.slice(0, 200)}`);
  if (/\bat .*:\d+:\d+|Error:/.test(a.body)) found.push(`${c.name}: a stack trace in the answer`);
  if (a.status >= 400) {
    let error: unknown;
    try {
      error = (JSON.parse(a.body) as { error?: unknown }).error;
    } catch {
      error = undefined;
    }
    if (typeof error !== 'string' || !a.headers['content-type']?.startsWith('application/json')) {
      found.push(`${c.name}: ${a.status} without a JSON error body: ${a.body.slice(0, 200)}`);
    }
  }
  return found;
}

function fakeDeps(lines: string[]): AppDeps {
  const cfg = loadConfig({
    DATABASE_URL: 'postgres://fake@127.0.0.1:1/fake',
    // port 1 is on fetch's blocked list: storing in memory-api fails at once, as when it is down
    MEMORY_API_URL: 'http://127.0.0.1:1',
    EXPERIENCE_API_URL: 'http://127.0.0.1:1',
    PROBE_TIMEOUT_MS: '200',
    API_TOKEN: TOKEN,
    API_ALLOWED_ORIGINS: SITE,
  });
  const pool = {
    query: async (sql: string, values: unknown[] = []) => {
      if (sql.startsWith('DELETE FROM notes')) return { rowCount: 1, rows: [] };
      if (sql.startsWith('INSERT INTO notes')) return { rowCount: 1, rows: [{ id: '1', title: values[0], body: values[1], created_at: new Date(0) }] };
      return { rowCount: 0, rows: [] };
    },
  } as unknown as pg.Pool;
  const cache = {
    getNotes: async () => undefined,
    setNotes: async () => {},
    invalidateNotes: async () => {},
    history: async () => [],
    remember: async () => {},
  } as unknown as Cache;
  const up = (name: string) => ({ name, critical: true, up: true, latencyMs: 1 });
  const deps = { check: async () => [up('postgres'), up('redis')] } as unknown as DependencyMonitor;
  return {
    cfg,
    pool,
    cache,
    deps,
    metrics: new Metrics('backend', 'test'),
    log: createLogger('backend', 'info', (l) => lines.push(l)),
    state: { migrated: true, shuttingDown: false },
    charts: new PrometheusCharts(undefined, 200),
  };
}

test('hostile requests: never a 500 or a crash, refusals are JSON, /health answers during and after', async (t) => {
  const lines: string[] = [];
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    stderr.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);
  process.on('uncaughtException', onCrash);
  const server = createAppServer(fakeDeps(lines));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    process.stderr.write = write;
    process.off('uncaughtException', onCrash);
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const health = () => send(port, { name: 'health', raw: request('GET', '/health', [['Connection', 'close']]), expect: [200] });

  const found: string[] = [];
  for (const c of corpus()) {
    try {
      found.push(...problems(c, await send(port, c)));
    } catch (err) {
      found.push(`${c.name}: no answer (${(err as Error).message})`);
    }
  }
  // Slow headers, a bounded count: half a request line each, then nothing.
  const slow = Array.from({ length: 10 }, () => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    s.write('GET /health HTTP/1.1\r\nHost: 127');
    return s;
  });
  const started = performance.now();
  if ((await health()).status !== 200) found.push('/health did not answer 200 while slow clients held connections');
  if (performance.now() - started > 2000) found.push('/health was slow while slow clients held connections');
  for (const s of slow) s.destroy();
  if ((await health()).status !== 200) found.push('/health did not answer 200 after the corpus');

  assert.deepEqual(found, [], found.join('\n'));
  assert.deepEqual(crashes, []);
  assert.deepEqual(stderr, [], 'nothing on stderr');
  const unstructured = lines
    .flatMap((l) => l.trimEnd().split('\n'))
    .filter((l) => {
      try {
        return typeof JSON.parse(l) !== 'object';
      } catch {
        return true;
      }
    });
  assert.deepEqual(unstructured, []);
  assert.ok(!lines.some((l) => l.includes('"status":500')), 'no 500 in the access log');
});

test('typed id parameters and the body checks', () => {
  assert.equal(intParam('id', '42'), 42);
  assert.equal(intParam('id', String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  for (const raw of ['9007199254740992', '9'.repeat(25), '-1', '1.0', '', '²', '٣', '1e3']) assert.throws(() => intParam('id', raw), /id must be an integer/);
  assert.equal(unstorable({ a: ['ok', 1, 2.5, '😀'] }), undefined);
  let deep: unknown = 1;
  for (let i = 0; i < 32; i++) deep = [deep];
  assert.equal(unstorable(deep), undefined);
  assert.match(unstorable([deep]) ?? '', /nested deeper than 32/);
  assert.match(unstorable({ t: 'a\ud800' }) ?? '', /surrogate/);
  assert.match(unstorable({ '\udc00': 1 }) ?? '', /surrogate/);
  assert.match(unstorable({ t: 'a\u0000' }) ?? '', /NUL/);
  assert.match(unstorable({ n: Infinity }) ?? '', /finite/);
  assert.match(unstorable({ n: 2 ** 64 }) ?? '', /integers/);
});
