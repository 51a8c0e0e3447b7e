import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBatsFailures, parseTapCounts, parseTapFailures, parseUnittestCounts } from '../lib/counts.ts';

test('node:test TAP totals', () => {
  assert.deepEqual(parseTapCounts('ok 1 - a\n# tests 3\n# pass 2\n# fail 1\n# skipped 1\n# todo 0\n'), { passed: 2, failed: 1, skipped: 1 });
});

test('bats TAP without totals', () => {
  assert.deepEqual(parseTapCounts('1..3\nok 1 a\nnot ok 2 b\nok 3 c # skip no engine\n'), { passed: 1, failed: 1, skipped: 1 });
});

test('python unittest summaries', () => {
  assert.deepEqual(parseUnittestCounts('Ran 5 tests in 0.1s\n\nOK (skipped=1)\n', 0), { passed: 4, failed: 0, skipped: 1 });
  assert.deepEqual(parseUnittestCounts('Ran 5 tests in 0.1s\n\nFAILED (failures=1, errors=2)\n', 1), { passed: 2, failed: 3, skipped: 0 });
  assert.deepEqual(parseUnittestCounts('ImportError', 1), { passed: 0, failed: 1, skipped: 0 });
});

// node:test's TAP as it prints it: a block message, a one-line message in a subtest, and the
// parent's "N subtest failed" that adds nothing.
const nodeTap = [
  '# Subtest: deploy under load',
  'not ok 1 - deploy under load',
  '  ---',
  "  location: '/x/a.test.ts:2:1'",
  '  error: |-',
  '    round 1 deploy-all:',
  '    2026-12-01T10:00:00.000Z HTTP 502: bad gateway',
  '    ',
  '    1 !== 0',
  '    ',
  "  code: 'ERR_ASSERTION'",
  '  stack: |-',
  '    TestContext.<anonymous> (file:///x/a.test.ts:2:34)',
  '  ...',
  '# Subtest: parent',
  '    # Subtest: child',
  '    not ok 1 - child',
  '      ---',
  "      error: 'child boom'",
  '      ...',
  'not ok 2 - parent',
  '  ---',
  "  error: '1 subtest failed'",
  '  ...',
  'ok 3 - fine',
  '# pass 1',
].join('\n');

test('failed tests with their messages, for the closing digest', () => {
  assert.deepEqual(parseTapFailures(nodeTap), [
    { name: 'deploy under load', message: 'round 1 deploy-all:\n2026-12-01T10:00:00.000Z HTTP 502: bad gateway\n\n1 !== 0' },
    { name: 'child', message: 'child boom' },
  ]);
  assert.deepEqual(parseTapFailures('ok 1 - a\n# pass 1\n'), []);
});

test('a long failure message is cut to the first lines', () => {
  const long = ['not ok 1 - t', '  ---', '  error: |-', ...Array.from({ length: 50 }, (_, i) => `    line ${i}`), '  ...'].join('\n');
  assert.equal(parseTapFailures(long, 5)[0].message.split('\n').length, 5);
});

test('failed bats tests with their diagnostic lines', () => {
  const tap = [
    '1..3',
    'ok 1 fine',
    'not ok 2 every entry point names a file',
    '# (in test file test/bats/make.bats, line 37)',
    '# scripts/x.sh runs scripts/y.ts, which does not exist',
    'ok 3 also fine',
    '# a comment after a passing test',
  ].join('\n');
  assert.deepEqual(parseBatsFailures(tap), [
    { name: 'every entry point names a file', message: '(in test file test/bats/make.bats, line 37)\nscripts/x.sh runs scripts/y.ts, which does not exist' },
  ]);
});
