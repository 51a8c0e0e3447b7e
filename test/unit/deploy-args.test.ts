import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandArgs } from '../../scripts/lib/deploy/command.ts';
import { UsageError } from '../../scripts/lib/errors.ts';

const usage = 'deploy.sh [SERVICE]';

test('defaults and options in any order', () => {
  assert.deepEqual(parseCommandArgs([], usage, true), { service: undefined, timeoutSeconds: 120, switchTimeoutSeconds: 30, graceSeconds: 20, overrides: [], force: false, noCache: false });
  const opts = parseCommandArgs(['--force', 'backend', '--timeout', '30', '--switch-timeout', '5'], usage, true);
  assert.equal(opts.service, 'backend');
  assert.equal(opts.timeoutSeconds, 30);
  assert.equal(opts.switchTimeoutSeconds, 5);
  assert.equal(opts.force, true);
  assert.equal(parseCommandArgs(['--no-cache'], usage, true).noCache, true);
});

test('bad input is a usage error (exit 2) naming the problem', () => {
  assert.throws(() => parseCommandArgs(['a', 'b'], usage, true), (e: unknown) => e instanceof UsageError && /one service at a time/.test(e.message));
  assert.throws(() => parseCommandArgs(['--timeout', 'soon'], usage, true), /--timeout must be a whole number/);
  assert.throws(() => parseCommandArgs(['--timeout', '0'], usage, true), /--timeout/);
  assert.throws(() => parseCommandArgs(['--override', '/nonexistent/file.yml'], usage, true), /does not exist/);
  // rollback has no --force / --override
  assert.throws(() => parseCommandArgs(['--force'], usage, false), (e: unknown) => e instanceof UsageError);
});
