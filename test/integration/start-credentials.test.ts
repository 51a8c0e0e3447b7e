// A new .env beside old data volumes (a second clone with the same project name, or .env deleted
// and made again): make start stops within seconds with one line naming the refused login and the
// two ways out, instead of waiting its whole timeout; with the old .env back, it starts again.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderNewEnv } from '../../scripts/lib/env.ts';
import { TestStack, explain } from '../harness/stack.ts';

const stack = new TestStack();

/** A fresh .env (new generated secrets) with this stack's project name and ports. */
function freshEnv(old: string): string {
  let text = renderNewEnv(readFileSync(path.join(stack.root, '.env.example'), 'utf8'));
  for (const [, name, value] of old.matchAll(/^(COMPOSE_PROJECT_NAME|[A-Z_]+_PORT)=(.*)$/gm))
    text = text.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}=${value}`);
  return text;
}

describe('start with credentials the data does not accept', { timeout: 30 * 60_000 }, () => {
  let oldEnv = '';

  before(async () => {
    await stack.init();
    const first = await stack.script('start-all');
    assert.equal(first.exitCode, 0, explain(first));
    const stop = await stack.script('stop-all');
    assert.equal(stop.exitCode, 0, explain(stop));
    oldEnv = readFileSync(stack.envFile, 'utf8');
  });
  after(async () => {
    await stack.destroy();
  });

  test('a new .env beside the old volumes fails on the refused login, naming the cause and the two ways out', async () => {
    const fresh = freshEnv(oldEnv);
    assert.notEqual(/^POSTGRES_PASSWORD=(.*)$/m.exec(fresh)?.[1], stack.envValue('POSTGRES_PASSWORD'), 'a new password');
    writeFileSync(stack.envFile, fresh, { mode: 0o600 });
    const result = await stack.script('start-all');
    assert.equal(result.exitCode, 1, explain(result));
    const line = result.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(line, /^error: .* cannot log in to postgres: the \.env passwords do not match the data in the existing volumes/, explain(result));
    assert.match(line, /Put back the \.env from the newest backup set, or remove the data with make stop ARGS=--remove-data$/);
    // Failing fast is proven by who ended the start, not by a wall-clock bound (a busy CI machine
    // once took 31 s): the start watcher cut compose's wait short, so no 'compose waited' line.
    assert.doesNotMatch(result.stderr, /compose waited its whole/, explain(result));
  });

  test('with the old .env put back, the same volumes start healthy', async () => {
    writeFileSync(stack.envFile, oldEnv, { mode: 0o600 });
    const result = await stack.script('start-all');
    assert.equal(result.exitCode, 0, explain(result));
    assert.match(result.stdout, /all \d+ services healthy in/);
  });
});
