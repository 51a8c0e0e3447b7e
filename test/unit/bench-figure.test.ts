import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figure, measurement, normalizeFigure, parseChildOutput, runCount } from '../../bench/lib/figure.ts';

test('measurement keeps every run and summarizes them', () => {
  const m = measurement('x', 'cmd', [3, 1, 2, 10, 4], 's');
  assert.deepEqual(m, { name: 'x', command: 'cmd', runs: [3, 1, 2, 10, 4], median: 3, min: 1, max: 10, unit: 's' });
  assert.equal(runCount(m), 5);
});

test('figure takes its name and unit from the schema, per subject where the schema says so', () => {
  assert.deepEqual(figure('start.warm', 'cmd', [3, 1, 2], { note: 'n' }), {
    id: 'start.warm',
    name: 'warm start to all healthy',
    command: 'cmd',
    runs: [3, 1, 2],
    median: 2,
    min: 1,
    max: 3,
    unit: 's',
    note: 'n',
  });
  const alone = figure('start.alone', 'cmd', [1], { subject: 'svc-a' });
  assert.equal(alone.name, 'healthy alone (svc-a)');
  assert.equal(alone.subject, 'svc-a');
  assert.throws(() => figure('start.alone', 'cmd', [1]), /start\.alone is measured per subject/);
});

test('a child figure with run values only gets its summary computed', () => {
  const f = normalizeFigure({ id: 'backup.duration', name: 'backup', command: 'make backup', runs: [2, 4, 3], unit: 's' }, 't');
  assert.equal(f.median, 3);
  assert.equal(f.min, 2);
  assert.equal(f.max, 4);
});

test('a child figure with a run count and a comparison without a name', () => {
  const f = normalizeFigure(
    {
      id: 'deploy.duration',
      subject: 'svc',
      name: 'deploy',
      command: 'make deploy',
      runs: 5,
      median: 40,
      min: 38,
      max: 44,
      unit: 's',
      comparison: { command: 'docker compose up', median: 12, min: 11, max: 13, runs: 5 },
    },
    't',
  );
  assert.equal(runCount(f), 5);
  assert.equal(f.subject, 'svc');
  assert.equal(f.comparison?.name, 'deploy (comparison)');
  assert.equal(f.comparison?.median, 12);
});

test('a figure without numbers, a name or a known id is refused', () => {
  assert.throws(() => normalizeFigure({ id: 'start.warm', name: 'x', command: 'c', unit: 's' }, 'suite'), /needs median, min and max/);
  assert.throws(() => normalizeFigure({ name: 'x', command: 'c', runs: [1] }, 'suite'), /suite \(x\): no "id"/);
  assert.throws(() => normalizeFigure({ id: 'warp.speed', name: 'x', command: 'c', runs: [1] }, 'suite'), /unknown id "warp\.speed"/);
  assert.throws(() => normalizeFigure({ median: 1, min: 1, max: 1 }, 'suite'), /no "name"/);
  assert.throws(() => normalizeFigure('text', 'suite'), /not an object/);
});

test('child output: one document, an array, {figures}, or JSON lines among progress lines', () => {
  const one = { id: 'discovery.scan', name: 'a', command: 'c', runs: [1, 2, 3], unit: 'ms' };
  assert.equal(parseChildOutput(JSON.stringify(one), 's').length, 1);
  assert.equal(parseChildOutput(JSON.stringify([one, { ...one, name: 'b' }]), 's').length, 2);
  assert.equal(parseChildOutput(JSON.stringify({ figures: [one] }), 's')[0].name, 'a');
  const lines = `progress: building\n${JSON.stringify(one)}\n{not json\n${JSON.stringify({ ...one, name: 'b' })}\n`;
  assert.deepEqual(
    parseChildOutput(lines, 's').map((f) => f.name),
    ['a', 'b'],
  );
});

test('child output: a pretty-printed document after progress lines a library wrote to stdout', () => {
  const one = { id: 'backup.duration', name: 'backup', command: './scripts/backup.sh', runs: [5, 6, 7], unit: 's' };
  const text = `image postgres   galaxy-offline/postgres:17   up to date (0.1s)\n${JSON.stringify({ figures: [one] }, null, 2)}\n`;
  assert.deepEqual(
    parseChildOutput(text, 'b').map((f) => [f.name, f.median]),
    [['backup', 6]],
  );
});

test('child output without any JSON figure is an error naming the suite', () => {
  assert.throws(() => parseChildOutput('done in 3s\n', 'bench/backup.ts'), /bench\/backup\.ts: printed no JSON figure/);
});
