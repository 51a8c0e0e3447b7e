import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from '../src/http.js';

test('routes match templates; the template is the metrics label', () => {
  const noop = () => {};
  const r = new Router().add('GET', '/api/notes', noop).add('DELETE', '/api/notes/:id', noop);
  assert.deepEqual(r.match('DELETE', '/api/notes/42').params, { id: '42' });
  assert.equal(r.match('DELETE', '/api/notes/42').route, '/api/notes/:id');
  assert.equal(r.match('HEAD', '/api/notes').route, '/api/notes');
  assert.equal(r.match('POST', '/api/notes/42').route, 'method_not_allowed');
  assert.equal(r.match('POST', '/api/notes/42').handler, undefined);
  assert.equal(r.match('GET', '/api/notes/42/extra').route, 'unmatched');
  assert.equal(r.match('GET', '/etc/passwd').route, 'unmatched');
});
