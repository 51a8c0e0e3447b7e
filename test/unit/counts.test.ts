import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTapCounts, parseUnittestCounts } from '../lib/counts.ts';

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
