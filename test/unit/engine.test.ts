import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EngineFacts, decideEngineAction, runningDockerd } from '../../scripts/lib/engine.ts';

const base: EngineFacts = { engineAnswers: false, dockerdInstalled: false, isRoot: true, osId: 'debian' };

test('a working engine with compose and buildx is used as it is', () => {
  assert.deepEqual(decideEngineAction({ ...base, engineAnswers: true, engineVersion: '26.1.5', composeVersion: '2.26.1', buildxVersion: 'v0.13' }), {
    kind: 'ready',
  });
});

test('an engine older than 25 is refused, naming start_interval', () => {
  const action = decideEngineAction({ ...base, engineAnswers: true, engineVersion: '24.0.7', composeVersion: '2.20', buildxVersion: 'x' });
  assert.equal(action.kind, 'refuse');
  assert.match((action as { reason: string }).reason, /24\.0\.7 is too old.*start_interval/);
});

test('an engine without compose v2 or buildx is refused with what to install', () => {
  const noCompose = decideEngineAction({ ...base, engineAnswers: true, engineVersion: '26.1', buildxVersion: 'x' });
  assert.match((noCompose as { reason: string }).reason, /Compose v2 is missing/);
  const noBuildx = decideEngineAction({ ...base, engineAnswers: true, engineVersion: '26.1', composeVersion: '2.26' });
  assert.match((noBuildx as { reason: string }).reason, /buildx is missing/);
});

test('installed but stopped engine is started; missing one is installed on Debian as root', () => {
  assert.deepEqual(decideEngineAction({ ...base, dockerdInstalled: true }), { kind: 'start' });
  assert.deepEqual(decideEngineAction(base), { kind: 'install' });
});

test('no root or another OS: refused with one line saying what to do', () => {
  assert.match((decideEngineAction({ ...base, isRoot: false }) as { reason: string }).reason, /not root/);
  assert.match((decideEngineAction({ ...base, osId: 'fedora' }) as { reason: string }).reason, /not Debian \(fedora\)/);
});

test('a dockerd that runs but does not answer is never started a second time', () => {
  const action = decideEngineAction({ ...base, dockerdInstalled: true, dockerdRunning: 7716 });
  assert.equal(action.kind, 'refuse');
  assert.match((action as { reason: string }).reason, /a dockerd is running \(pid 7716\) but does not answer.*kill 7716/);
});

test('a running dockerd is found by its process name, whichever pidfile it was given', () => {
  const proc = mkdtempSync(path.join(tmpdir(), 'proc-'));
  for (const [pid, comm] of [
    ['12', 'node'],
    ['345', 'dockerd'],
    ['self', 'bash'],
  ] as const) {
    mkdirSync(path.join(proc, pid));
    writeFileSync(path.join(proc, pid, 'comm'), `${comm}\n`);
  }
  mkdirSync(path.join(proc, '99'));
  assert.equal(runningDockerd(proc), 345);
  assert.equal(runningDockerd(path.join(proc, '12')), undefined);
});
