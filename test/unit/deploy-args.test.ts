import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Parsed, type OptionSpec, helpText, parseCommand } from '../../scripts/lib/command/define.ts';
import { commandOptions, deployCommand, rollbackCommand } from '../../scripts/lib/deploy/command.ts';
import { UsageError } from '../../scripts/lib/errors.ts';

function deployArgs(argv: string[]) {
  const parsed = parseCommand(deployCommand, argv);
  assert.ok(!('help' in parsed));
  return { parsed, opts: commandOptions(parsed as Parsed<Record<string, OptionSpec>>) };
}

test('defaults and options in any order', () => {
  assert.deepEqual(deployArgs([]).opts, {
    service: undefined,
    timeoutSeconds: 120,
    switchTimeoutSeconds: 30,
    graceSeconds: 20,
    overrides: [],
    force: false,
    noCache: false,
  });
  const { opts } = deployArgs(['--force', 'backend', '--timeout', '30', '--switch-timeout', '5']);
  assert.equal(opts.service, 'backend');
  assert.equal(opts.timeoutSeconds, 30);
  assert.equal(opts.switchTimeoutSeconds, 5);
  assert.equal(opts.force, true);
  assert.equal(deployArgs(['--no-cache']).opts.noCache, true);
});

test('--wait-lock with or without seconds is taken out before parsing; bad values are usage errors', () => {
  assert.equal(deployArgs(['--wait-lock', 'backend']).parsed.waitLockSeconds, Number.POSITIVE_INFINITY);
  assert.equal(deployArgs(['--wait-lock=30']).parsed.waitLockSeconds, 30);
  assert.equal(deployArgs([]).parsed.waitLockSeconds, undefined);
  assert.throws(() => parseCommand(deployCommand, ['--wait-lock=soon']), /--wait-lock takes a whole number of seconds/);
});

test('bad input is a usage error (exit 2) naming the problem', () => {
  assert.throws(
    () => deployArgs(['a', 'b']),
    (e: unknown) => e instanceof UsageError && /one SERVICE at a time/.test(e.message),
  );
  assert.throws(() => deployArgs(['--timeout', 'soon']), /--timeout must be a whole number/);
  assert.throws(() => deployArgs(['--timeout', '0']), /--timeout/);
  assert.throws(() => deployArgs(['--override', '/nonexistent/file.yml']), /does not exist/);
  // rollback has no --force / --override / --no-cache
  assert.throws(
    () => parseCommand(rollbackCommand, ['--force']),
    (e: unknown) => e instanceof UsageError && /usage: rollback\.sh/.test(e.message),
  );
});

test('--help is asked for, not an error; the text lists every option and an example', () => {
  assert.deepEqual(parseCommand(deployCommand, ['backend', '--help']), { help: true });
  const text = helpText(deployCommand);
  for (const flag of [
    '--timeout SECONDS',
    '--switch-timeout SECONDS',
    '--grace SECONDS',
    '--override COMPOSE_FILE',
    '--force',
    '--no-cache',
    '--wait-lock[=SECONDS]',
    'make deploy service=api',
  ])
    assert.ok(text.includes(flag), flag);
});
