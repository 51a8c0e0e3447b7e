import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logStreamText } from '../../scripts/lib/docker/engine-api.ts';

/** One frame of the engine's log stream: stream byte, three zeros, big-endian size, payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

test('framed log stream (no TTY): stdout and stderr pieces in arrival order, headers dropped', () => {
  const body = Buffer.concat([frame(1, 'ready\n'), frame(2, 'FATAL: password authentication failed for user "app"\n'), frame(1, 'ünïcode\n')]);
  assert.equal(logStreamText(body), 'ready\nFATAL: password authentication failed for user "app"\nünïcode\n');
});

test('a TTY container sends plain text, which is kept as it is', () => {
  assert.equal(logStreamText(Buffer.from('plain line one\nline two\n')), 'plain line one\nline two\n');
  assert.equal(logStreamText(Buffer.from('short')), 'short');
});

test('an empty log is empty text', () => {
  assert.equal(logStreamText(Buffer.alloc(0)), '');
});
