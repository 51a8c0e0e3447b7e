// make start's early log store (logs/first.ts): when the store the early start brought up stands as
// the final context wants it, so the second compose up of it is skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storesStand } from '../../scripts/lib/logs/first.ts';

const early = { inputsKey: 'k1' };
const store = { service: 'log-store', imageId: 'sha256:aaa' };
const running = { service: 'log-store', status: 'running', imageId: 'sha256:aaa' };

test('the same inputs and the image its tag names now: the early start stands', () => {
  assert.equal(storesStand(early, 'k1', [store], [running, { service: 'backend', status: 'running', imageId: 'sha256:bbb' }]), true);
});

test('changed inputs (.env, files, the image choice) mean compose is asked again', () => {
  assert.equal(storesStand(early, 'k2', [store], [running]), false);
  // Files compose reads but the key cannot see (include, extends): no key, never a match.
  assert.equal(storesStand(early, undefined, [store], [running]), false);
});

test('an image rebuilt or pulled under the same tag since the early start means compose is asked again', () => {
  assert.equal(storesStand(early, 'k1', [{ ...store, imageId: 'sha256:new' }], [running]), false);
  assert.equal(storesStand(early, 'k1', [{ service: 'log-store' }], [running]), false);
});

test('a store not running, or running twice, is not taken as standing', () => {
  assert.equal(storesStand(early, 'k1', [store], [{ ...running, status: 'exited' }]), false);
  assert.equal(storesStand(early, 'k1', [store], []), false);
  assert.equal(storesStand(early, 'k1', [store], [running, running]), false);
});
