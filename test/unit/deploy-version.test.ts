import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatVersion, hashDirtyState, imageName, isValidTag, repositoryOf, tagOf, versionVariable } from '../../scripts/lib/deploy/version.ts';

const sha = '0123456789abcdef0123456789abcdef01234567';

test('a clean tree is tagged with the short commit, a dirty one gets a marker and a hash', () => {
  assert.equal(formatVersion(sha), '0123456789ab');
  assert.equal(formatVersion(sha, 'deadbeefcafef00d'), '0123456789ab-dirty-deadbeef');
  assert.ok(isValidTag(formatVersion(sha, 'deadbeefcafef00d')));
  assert.throws(() => formatVersion('not-a-sha'), /not a git commit/);
});

test('the dirty hash is stable for the same changes and changes with any edit', () => {
  assert.equal(hashDirtyState('', []), undefined);
  const a = hashDirtyState('diff', [
    { name: 'b.txt', content: 'x' },
    { name: 'a.txt', content: 'y' },
  ]);
  const sameInOtherOrder = hashDirtyState('diff', [
    { name: 'a.txt', content: 'y' },
    { name: 'b.txt', content: 'x' },
  ]);
  assert.equal(a, sameInOtherOrder);
  assert.notEqual(
    a,
    hashDirtyState('diff', [
      { name: 'a.txt', content: 'y' },
      { name: 'b.txt', content: 'z' },
    ]),
  );
  assert.notEqual(
    a,
    hashDirtyState('diff2', [
      { name: 'a.txt', content: 'y' },
      { name: 'b.txt', content: 'x' },
    ]),
  );
  assert.ok(hashDirtyState('', [{ name: 'new.txt', content: '' }]), 'an untracked empty file still marks the tree dirty');
});

test('version variables, image names and tags', () => {
  assert.equal(versionVariable('backend'), 'BACKEND_VERSION');
  assert.equal(versionVariable('experience-api'), 'EXPERIENCE_API_VERSION');
  assert.equal(imageName('galaxy/backend:latest', 'abc'), 'galaxy/backend:abc');
  assert.equal(imageName('localhost:5000/orders/api', 'v2'), 'localhost:5000/orders/api:v2');
  assert.equal(repositoryOf('orders/api:1.2'), 'orders/api');
  assert.equal(tagOf('galaxy/backend:abc-dirty-1'), 'abc-dirty-1');
  assert.equal(tagOf('galaxy/backend'), 'latest');
  assert.equal(tagOf('localhost:5000/galaxy/backend'), 'latest');
  assert.equal(isValidTag('-bad'), false);
});
