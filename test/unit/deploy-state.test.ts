import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  type HistoryEntry,
  appendHistory,
  deployedVersionEnv,
  historyFile,
  parseHistory,
  readHistory,
  readState,
  rollbackTarget,
  writeState,
} from '../../scripts/lib/deploy/state.ts';

const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  time: '2026-01-01T00:00:00Z',
  action: 'deploy',
  service: 'backend',
  from: 'a',
  to: 'b',
  result: 'ok',
  seconds: 1,
  ...over,
});

test('rollback returns to the version the current one was deployed from', () => {
  const history = [entry({ from: 'latest', to: 'a' }), entry({ from: 'a', to: 'b' }), entry({ service: 'frontend', from: 'x', to: 'b' })];
  assert.equal(rollbackTarget(history, 'backend', 'b'), 'a');
  assert.equal(rollbackTarget(history, 'backend', 'a'), 'latest');
  assert.equal(rollbackTarget(history, 'backend', 'latest'), undefined);
  assert.equal(rollbackTarget(history, 'frontend', 'b'), 'x');
});

test('failed deploys and rollbacks do not count as the previous version', () => {
  const history = [entry({ from: 'a', to: 'b' }), entry({ from: 'b', to: 'c', result: 'failed' }), entry({ action: 'rollback', from: 'b', to: 'a' })];
  assert.equal(rollbackTarget(history, 'backend', 'c'), undefined);
  // after rolling back b -> a, a second rollback walks further back, it does not toggle to b
  assert.equal(rollbackTarget([entry({ from: 'z', to: 'a' }), ...history], 'backend', 'a'), 'z');
});

test('state and history files round-trip; a torn history line is skipped', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-state-'));
  assert.deepEqual(readState('p', dir), { services: {} });
  writeState(
    'p',
    {
      services: {
        backend: { version: 'b', image: 'galaxy/backend:b', since: 'now' },
        'experience-api': { version: 'e', image: 'galaxy/experience-api:e', since: 'now' },
      },
    },
    dir,
  );
  assert.deepEqual(deployedVersionEnv('p', dir), { BACKEND_VERSION: 'b', EXPERIENCE_API_VERSION: 'e' });
  appendHistory('p', entry({}), dir);
  writeFileSync(historyFile('p', dir), `${readFileSync(historyFile('p', dir), 'utf8')}{"time":"tor`);
  appendHistory('p', entry({ to: 'c' }), dir);
  assert.deepEqual(
    readHistory('p', dir).map((e) => e.to),
    ['b'],
  );
  assert.equal(parseHistory('\n{"to":"x"}\nnot json\n').length, 1);
});
