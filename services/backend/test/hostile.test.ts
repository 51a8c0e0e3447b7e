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
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import type { Cache } from '../src/cache.js';
import type { DependencyMonitor } from '../src/deps.js';
import { intParam, MAX_BODY, unstorable } from '../src/http.js';

interface Case {
  name: string;
  raw: Buffer;
  expect: number[];
  bodyAfter?: Buffer; // sent once the answer is in (a body the server refused unread)
  halfClose?: boolean; // end the sending side after the request
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// The API token the server under test is configured with (API_TOKEN), and the site's origin.
const TOKEN = 'hostile-test-token-0123456789';
const SITE = 'http://127.0.0.1:8080';

/** An `admitted` write carries the token and, unless it says otherwise, a JSON content type, so the
 * cases about framing and JSON reach the body reader past the write check. */
const request = (method: string, path: string, headers: Array<[string, string]> = [], body: Buffer | string = '', admitted = true): Buffer => {
  if (admitted && !['GET', 'HEAD'].includes(method)) {
    const typed = headers.some(([k]) => k.toLowerCase() === 'content-type');
    headers = [['Authorization', `Bearer ${TOKEN}`], ...headers, ...(typed ? [] : [['Content-Type', 'application/json'] as [string, string]])];
  }
  return Buffer.concat([
    Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'),
    Buffer.from(body),
  ]);
};
const post = (path: string, body: Buffer | string, type = 'application/json') =>
  request(
    'POST',
    path,
    [
      ['Content-Type', type],
      ['Content-Length', String(Buffer.byteLength(body))],
    ],
    body,
  );
const chunked = (parts: string[]) => parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';

function corpus(): Case[] {
  const note = '{"title": "hello", "body": "world"}';
  const te: Array<[string, string]> = [
    ['Transfer-Encoding', 'chunked'],
    ['Content-Type', 'application/json'],
  ];
  const bad = [400];
  const big = [413];
  return [
    { name: 'negative length', raw: request('POST', '/api/notes', [['Content-Length', '-1']], note), expect: bad },
    { name: 'non-numeric length', raw: request('POST', '/api/notes', [['Content-Length', 'abc']], note), expect: bad },
    { name: 'fractional length', raw: request('POST', '/api/notes', [['Content-Length', '1.5']], note), expect: bad },
    {
      name: 'two different lengths',
      raw: request(
        'POST',
        '/api/notes',
        [
          ['Content-Length', '2'],
          ['Content-Length', '3'],
        ],
        '{}',
      ),
      expect: bad,
    },
    { name: 'length with 30 digits', raw: request('POST', '/api/notes', [['Content-Length', '9'.repeat(30)]]), expect: [400, 413] },
    { name: 'length over the limit, body never sent', raw: request('POST', '/api/notes', [['Content-Length', '60000000']]), expect: big },
    {
      name: 'body over the limit',
      raw: request('POST', '/api/notes', [['Content-Length', String(MAX_BODY + 1)]]),
      expect: big,
      bodyAfter: Buffer.alloc(MAX_BODY + 1, 'x'),
    },
    { name: 'body over the limit on the chat route', raw: post('/api/chat', `{"message": "${'x'.repeat(MAX_BODY)}"}`), expect: big },
    { name: 'body shorter than its length', raw: request('POST', '/api/notes', [['Content-Length', '50']], '{}'), expect: bad, halfClose: true },
    { name: 'no length on a POST', raw: request('POST', '/api/notes', [['Content-Type', 'application/json']]), expect: bad },
    { name: 'chunked body within the limit', raw: request('POST', '/api/notes', te, chunked([note.slice(0, 5), note.slice(5)])), expect: [201] },
    { name: 'chunked body over the limit', raw: request('POST', '/api/notes', te, chunked(Array(20).fill('x'.repeat(8000)))), expect: big },
    { name: 'chunked body with a bad size', raw: request('POST', '/api/notes', te, 'zz\r\nabc\r\n0\r\n\r\n'), expect: bad, halfClose: true },
    { name: 'chunked body with a huge size', raw: request('POST', '/api/notes', te, 'fffffffffffffffff\r\nabc\r\n'), expect: [400, 413], halfClose: true },
    { name: 'both lengths', raw: request('POST', '/api/notes', [...te, ['Content-Length', String(note.length)]], note), expect: bad },
    { name: 'unknown transfer encoding', raw: request('POST', '/api/notes', [['Transfer-Encoding', 'gzip']], note), expect: bad, halfClose: true },
    { name: 'JSON nested 1000 deep', raw: post('/api/notes', `{"title": "t", "body": ${'['.repeat(1000)}${']'.repeat(1000)}}`), expect: bad },
    { name: 'JSON nested 30000 deep', raw: post('/api/chat', '['.repeat(30000) + ']'.repeat(30000)), expect: bad },
    { name: 'lone surrogate in a note', raw: post('/api/notes', '{"title": "a\\ud800b"}'), expect: bad },
    { name: 'lone surrogate in a chat message', raw: post('/api/chat', '{"message": "\\udc00"}'), expect: bad },
    { name: 'lone surrogate in a key', raw: post('/api/notes', '{"title": "t", "\\ud800": 1}'), expect: bad },
    { name: 'NUL in a note', raw: post('/api/notes', '{"title": "a\\u0000b"}'), expect: bad },
    { name: 'invalid UTF-8', raw: post('/api/notes', Buffer.from([...Buffer.from('{"title": "'), 0xed, 0xa0, 0x80, 0xff, ...Buffer.from('"}')])), expect: bad },
    { name: 'integer above 2^63', raw: post('/api/notes', '{"title": "t", "n": 18446744073709551616}'), expect: bad },
    { name: 'integer of 5000 digits', raw: post('/api/notes', `{"title": "t", "n": ${'9'.repeat(5000)}}`), expect: bad },
    { name: 'number 1e400', raw: post('/api/notes', '{"title": "t", "n": 1e400}'), expect: bad },
    { name: 'NaN', raw: post('/api/notes', '{"title": "t", "n": NaN}'), expect: bad },
    { name: 'not JSON', raw: post('/api/notes', '{not json'), expect: bad },
    { name: 'JSON but not an object', raw: post('/api/chat', '[1, 2]'), expect: bad },
    { name: 'text/plain body', raw: post('/api/notes', note, 'text/plain'), expect: [415] },
    { name: 'form body', raw: post('/api/notes', 'a=1&b=2', 'application/x-www-form-urlencoded'), expect: [415] },
    { name: 'binary body', raw: post('/api/chat', Buffer.from(Array.from({ length: 256 }, (_, i) => i)), 'application/octet-stream'), expect: [415] },
    { name: 'id above 2^63', raw: request('DELETE', `/api/notes/${'9'.repeat(25)}`), expect: bad },
    { name: 'id 2^63', raw: request('DELETE', `/api/notes/${2n ** 63n}`), expect: bad },
    { name: 'id as a superscript digit', raw: request('DELETE', '/api/notes/%C2%B2'), expect: bad },
    { name: 'negative id', raw: request('DELETE', '/api/notes/-1'), expect: bad },
    { name: 'malformed absolute target', raw: Buffer.from('GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n'), expect: bad },
    { name: 'garbage request line', raw: Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 13, 10, 13, 10]), expect: bad },
    { name: 'header without a colon', raw: Buffer.from('GET /health HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n'), expect: bad },
    { name: 'header line of 70000 bytes', raw: request('GET', '/health', [['X-Big', 'a'.repeat(70000)]]), expect: [400, 431] },
    {
      name: '200 headers',
      raw: request(
        'GET',
        '/health',
        Array.from({ length: 200 }, (_, i): [string, string] => [`X-${i}`, '1']),
      ),
      expect: [200, 400, 431],
    },
    { name: 'request line of 70000 bytes', raw: request('GET', `/${'a'.repeat(70000)}`), expect: [400, 404, 414, 431] },
    { name: 'unknown method', raw: request('BREW', '/health'), expect: [400, 405, 501] },
    ...authCases(note),
  ];
}

/** Who may write (issue #12 point 4, docs/SECURITY.md): the token, the content type, the Origin.
 * Reads stay public; a refused write is answered before its body is read. */
function authCases(note: string): Case[] {
  const bearer: [string, string] = ['Authorization', `Bearer ${TOKEN}`];
  const write = (path: string, ...headers: Array<[string, string]>) => {
    const typed = headers.some(([k]) => k === 'Content-Type');
    return request(
      'POST',
      path,
      [...(typed ? [] : [['Content-Type', 'application/json'] as [string, string]]), ['Content-Length', String(note.length)], ...headers],
      note,
      false,
    );
  };
  const chat = '{"message": "hello"}';
  return [
    { name: 'write without a token', raw: write('/api/notes'), expect: [401] },
    {
      name: 'chat without a token (it spends the model quota)',
      raw: request(
        'POST',
        '/api/chat',
        [
          ['Content-Type', 'application/json'],
          ['Content-Length', String(chat.length)],
        ],
        chat,
        false,
      ),
      expect: [401],
    },
    { name: 'delete without a token', raw: request('DELETE', '/api/notes/1', [], '', false), expect: [401] },
    { name: 'write with a wrong token', raw: write('/api/notes', ['Authorization', `Bearer ${'x'.repeat(TOKEN.length)}`]), expect: [401] },
    { name: 'write with a token one character short', raw: write('/api/notes', ['Authorization', `Bearer ${TOKEN.slice(0, -1)}`]), expect: [401] },
    { name: 'write with the token as Basic credentials', raw: write('/api/notes', ['Authorization', `Basic ${TOKEN}`]), expect: [401] },
    { name: 'write with an empty bearer', raw: write('/api/notes', ['Authorization', 'Bearer ']), expect: [401] },
    {
      name: 'write without a token, body over the limit never read',
      raw: request(
        'POST',
        '/api/notes',
        [
          ['Content-Type', 'application/json'],
          ['Content-Length', '60000000'],
        ],
        '',
        false,
      ),
      expect: [401],
      bodyAfter: Buffer.alloc(65536, 'x'),
    },
    { name: 'write from a foreign Origin with the token', raw: write('/api/notes', bearer, ['Origin', 'http://evil.example']), expect: [403] },
    { name: 'write from a foreign Origin without a token', raw: write('/api/chat', ['Origin', 'http://evil.example']), expect: [403] },
    { name: 'write from a page on another local port', raw: write('/api/notes', bearer, ['Origin', 'http://127.0.0.1:9090']), expect: [403] },
    { name: 'write from a sandboxed page (Origin: null)', raw: write('/api/notes', bearer, ['Origin', 'null']), expect: [403] },
    { name: 'write marked cross-site by the browser', raw: write('/api/notes', bearer, ['Sec-Fetch-Site', 'cross-site']), expect: [403] },
    { name: 'text/plain write without a token', raw: write('/api/notes', ['Content-Type', 'text/plain']), expect: [401] },
    {
      name: 'write with the token and no content type',
      raw: request('POST', '/api/notes', [bearer, ['Content-Length', String(note.length)]], note, false),
      expect: [415],
    },
    { name: 'write with the token and JSON', raw: write('/api/notes', bearer), expect: [201] },
    {
      name: 'write from the site itself (its Origin, same-origin)',
      raw: write('/api/notes', bearer, ['Origin', SITE], ['Sec-Fetch-Site', 'same-origin']),
      expect: [201],
    },
    { name: 'delete with the token and no body', raw: request('DELETE', '/api/notes/1', [bearer], '', false), expect: [204] },
    { name: 'health stays public', raw: request('GET', '/health'), expect: [200] },
    { name: 'the status page stays public from any page', raw: request('GET', '/api/status', [['Origin', 'http://evil.example']]), expect: [200] },
    { name: 'notes stay readable', raw: request('GET', '/api/notes'), expect: [200] },
  ];
}

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
