import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, round, summarize } from '../../bench/lib/stats.ts';

test('median of an odd and an even number of values, order-independent', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test('summary gives median, min and max and leaves the input untouched', () => {
  const values = [9, 2, 5, 4, 100];
  assert.deepEqual(summarize(values), { median: 5, min: 2, max: 100 });
  assert.deepEqual(values, [9, 2, 5, 4, 100]);
});

test('no values is an error, not a zero', () => {
  assert.throws(() => median([]), /no values/);
  assert.throws(() => summarize([]), /no values/);
});

test('round keeps three decimals by default', () => {
  assert.equal(round(1.23456), 1.235);
  assert.equal(round(1.25, 1), 1.3);
});
