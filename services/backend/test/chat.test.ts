import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answer, ChatInputError, extractGeminiText, fallbackAnswer, geminiRequestBody, parseChatRequest } from '../src/chat.js';

test('fallback answer is labelled and deterministic', () => {
  const a = fallbackAnswer('Is the cluster healthy?', 'GEMINI_API_KEY is not set');
  assert.equal(a.source, 'local-fallback');
  assert.equal(a.fallbackReason, 'GEMINI_API_KEY is not set');
  assert.match(a.answer, /^\[local fallback - no language model was used\] You asked: "Is the cluster healthy\?" \(4 words\)/);
  assert.deepEqual(fallbackAnswer('Is the cluster healthy?', 'x').answer, a.answer);
  assert.match(fallbackAnswer('one', 'x').answer, /You said: "one" \(1 word\)/);
});

test('no key: no network call at all', async () => {
  let called = false;
  const r = await answer(
    {
      model: 'm',
      apiBase: 'http://127.0.0.1:1',
      fetchImpl: async () => {
        called = true;
        throw new Error('no');
      },
    },
    [],
    'hi',
  );
  assert.equal(r.source, 'local-fallback');
  assert.equal(called, false);
});

test('chat input validation', () => {
  assert.deepEqual(parseChatRequest({ message: '  hi  ' }), { message: 'hi', sessionId: undefined });
  assert.throws(() => parseChatRequest({ message: '' }), ChatInputError);
  assert.throws(() => parseChatRequest({ message: 'x'.repeat(4001) }), /longer than 4000/);
  assert.throws(() => parseChatRequest({ message: 'x', sessionId: '../etc' }), /sessionId/);
  assert.throws(() => parseChatRequest(null), /JSON object/);
});

test('Gemini request and answer shapes', () => {
  assert.deepEqual(
    geminiRequestBody(
      [
        { role: 'user', text: 'a' },
        { role: 'model', text: 'b' },
      ],
      'c',
    ),
    {
      contents: [
        { role: 'user', parts: [{ text: 'a' }] },
        { role: 'model', parts: [{ text: 'b' }] },
        { role: 'user', parts: [{ text: 'c' }] },
      ],
    },
  );
  assert.equal(extractGeminiText({ candidates: [{ content: { parts: [{ text: 'Hel' }, { text: 'lo' }] } }] }), 'Hello');
  assert.throws(() => extractGeminiText({ candidates: [] }), /no text/);
});

test('with a key: calls generateContent (fake server on 127.0.0.1), falls back on error', async (t) => {
  const seen: Array<{ url?: string; key?: string | string[]; body: string }> = [];
  let fail = false;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url, key: req.headers['x-goog-api-key'], body });
      res.writeHead(fail ? 500 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'generated' }] } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ok = await answer({ apiKey: 'k1', model: 'gemini-test', apiBase }, [], 'hello');
  assert.deepEqual(ok, { answer: 'generated', source: 'gemini', model: 'gemini-test' });
  assert.equal(seen[0].url, '/v1beta/models/gemini-test:generateContent');
  assert.equal(seen[0].key, 'k1');
  assert.equal(JSON.parse(seen[0].body).contents[0].parts[0].text, 'hello');
  fail = true;
  const fb = await answer({ apiKey: 'k1', model: 'gemini-test', apiBase }, [], 'hello');
  assert.equal(fb.source, 'local-fallback');
  assert.equal(fb.fallbackReason, 'Gemini call failed: Gemini answered HTTP 500');
});
