// make logs in swarm mode (scripts/lib/logs/service-logs.ts): Swarm's timestamped lines taken
// apart, filtered by the window it cannot filter itself (--until), ordered and cut to the tail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatServiceLine, keepLine, parseServiceLine, pickLines } from '../../scripts/lib/logs/service-logs.ts';

const at = (iso: string) => Date.parse(iso);

test("a line: Docker's RFC 3339 time (nanoseconds kept for order), the source without the stack, the message", () => {
  assert.deepEqual(parseServiceLine('2026-12-03T06:12:19.005981915Z shop_web.1@node-2    | ready for start up', 'shop'), {
    time: at('2026-12-03T06:12:19.005Z'),
    nanos: 981915,
    source: 'web.1@node-2',
    msg: 'ready for start up',
  });
  // Trailing zeros dropped by Docker, no fraction at all, an offset, an empty message.
  assert.equal(parseServiceLine('2026-12-03T06:12:19.5Z shop_web.2@m | x', 'shop').time, at('2026-12-03T06:12:19.500Z'));
  assert.equal(parseServiceLine('2026-12-03T06:12:19Z shop_web.2@m | x', 'shop').time, at('2026-12-03T06:12:19Z'));
  assert.equal(parseServiceLine('2026-12-03T07:12:19+01:00 shop_web.2@m | x', 'shop').time, at('2026-12-03T06:12:19Z'));
  assert.equal(parseServiceLine('2026-12-03T06:12:19Z shop_web.2@m    | ', 'shop').msg, '');
  // A message with its own pipes keeps them; a task id (without --no-task-ids) stays in the source.
  assert.equal(parseServiceLine('2026-12-03T06:12:19Z shop_web.2.abc@m | a | b', 'shop').msg, 'a | b');
  assert.equal(parseServiceLine('2026-12-03T06:12:19Z shop_web.2.abc@m | a', 'shop').source, 'web.2.abc@m');
  // Not Docker's shape: kept whole, without a time.
  assert.deepEqual(parseServiceLine('error from daemon in stream', 'shop'), { nanos: 0, source: '', msg: 'error from daemon in stream' });
});

test("shown in the log store's shape: source | UTC time, a JSON line made readable", () => {
  const line = parseServiceLine(
    '2026-12-03T06:12:19.065763609Z shop_api.1@m    | {"time":"x","level":"info","service":"api","msg":"redis ready","retryMs":2000}',
    'shop',
  );
  assert.equal(formatServiceLine(line, 8), 'api.1@m  | 2026-12-03T06:12:19.065Z INFO redis ready retryMs=2000');
  assert.equal(formatServiceLine(parseServiceLine('not docker', 'shop'), 8), 'not docker');
});

test("window and text: --since and --until by the line's time, --grep in the line as logged or as shown", () => {
  const line = parseServiceLine('2026-12-03T06:00:00Z shop_api.1@m | {"level":"warn","msg":"Slow query"}', 'shop');
  assert.equal(keepLine(line, {}), true);
  assert.equal(keepLine(line, { since: at('2026-12-03T06:00:00Z'), until: at('2026-12-03T06:00:00Z') }), true);
  assert.equal(keepLine(line, { until: at('2026-12-03T05:59:59.999Z') }), false);
  assert.equal(keepLine(line, { since: at('2026-12-03T06:00:00.001Z') }), false);
  assert.equal(keepLine(line, { grep: 'slow QUERY' }), true);
  assert.equal(keepLine(line, { grep: 'WARN Slow' }), true); // as shown
  assert.equal(keepLine(line, { grep: 'api.1@m' }), true); // the source is part of the shown line
  assert.equal(keepLine(line, { grep: 'error' }), false);
  // A line without a time cannot be judged by the window: kept.
  assert.equal(keepLine(parseServiceLine('no time here', 'shop'), { until: 0 }), true);
});

test("pick: a service's tasks merged in time order (within a ms by nanoseconds), filtered, the last N kept", () => {
  // Docker prints task by task, each task's own tail.
  const raw = [
    '2026-12-03T06:00:03Z shop_web.1@m | one-c',
    '2026-12-03T06:00:05.000000002Z shop_web.1@m | one-e',
    '2026-12-03T06:00:01Z shop_web.2@w1 | two-a',
    '2026-12-03T06:00:05.000000001Z shop_web.2@w1 | two-d',
    '2026-12-03T06:00:09Z shop_web.2@w1 | two-late',
  ];
  const msgs = (q: Parameters<typeof pickLines>[2]) => pickLines(raw, 'shop', q).map((l) => l.msg);
  assert.deepEqual(msgs({ tailCount: Number.POSITIVE_INFINITY }), ['two-a', 'one-c', 'two-d', 'one-e', 'two-late']);
  assert.deepEqual(msgs({ tailCount: 2 }), ['one-e', 'two-late']);
  // --until first, then the tail: the last 2 lines before the end of the window.
  assert.deepEqual(msgs({ tailCount: 2, until: at('2026-12-03T06:00:06Z') }), ['two-d', 'one-e']);
  assert.deepEqual(msgs({ tailCount: 10, since: at('2026-12-03T06:00:02Z'), grep: 'one' }), ['one-c', 'one-e']);
  assert.deepEqual(msgs({ tailCount: 0 }), []);
  // A line without a time stays after the line before it.
  assert.deepEqual(
    pickLines(['2026-12-03T06:00:03Z shop_web.1@m | b', 'continued', '2026-12-03T06:00:01Z shop_web.2@m | a'], 'shop', { tailCount: 5 }).map((l) => l.msg),
    ['a', 'b', 'continued'],
  );
});
