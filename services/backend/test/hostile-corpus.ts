// The hostile-request corpus for hostile.test.ts (issue #12): raw HTTP/1.1 requests, each with the
// statuses it may get. Framing, lengths and JSON in corpus(); who may write in authCases().
import { MAX_BODY } from '../src/http.js';

export interface Case {
  name: string;
  raw: Buffer;
  expect: number[];
  bodyAfter?: Buffer; // sent once the answer is in (a body the server refused unread)
  halfClose?: boolean; // end the sending side after the request
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// The API token the server under test is configured with (API_TOKEN), and the site's origin.
export const TOKEN = 'hostile-test-token-0123456789';
export const SITE = 'http://127.0.0.1:8080';

/** An `admitted` write carries the token and, unless it says otherwise, a JSON content type, so the
 * cases about framing and JSON reach the body reader past the write check. */
export const request = (method: string, path: string, headers: Array<[string, string]> = [], body: Buffer | string = '', admitted = true): Buffer => {
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

export function corpus(): Case[] {
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
export function authCases(note: string): Case[] {
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
