import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EngineFacts, decideEngineAction } from '../../scripts/lib/engine.ts';

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
  // A dockerd that runs but does not answer (overloaded) is never joined by a second one.
  const busy = decideEngineAction({ ...base, dockerdInstalled: true, dockerdRunning: true });
  assert.equal(busy.kind, 'refuse');
  assert.match(busy.kind === 'refuse' ? busy.reason : '', /^a dockerd process runs but the engine did not answer: .*never start a second dockerd/);
  assert.deepEqual(decideEngineAction(base), { kind: 'install' });
});

test('no root or another OS: refused with one line saying what to do', () => {
  assert.match((decideEngineAction({ ...base, isRoot: false }) as { reason: string }).reason, /not root/);
  assert.match((decideEngineAction({ ...base, osId: 'fedora' }) as { reason: string }).reason, /not Debian \(fedora\)/);
});
