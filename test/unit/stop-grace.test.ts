// Data services stop cleanly: the compose files give PostgreSQL and Redis (found by their backup
// label, not by name) at least 30 s between SIGTERM and SIGKILL in every mode (stop, deploy), a
// grace (never none) when the watcher restarts them after failed checks, and nothing gives the watcher a
// stop timeout of its own: it restarts each container with the container's own grace or label.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');

interface ComposeService {
  stop_grace_period?: string;
  labels?: Record<string, string>;
  environment?: Record<string, string>;
}

function services(file: string): Record<string, ComposeService> {
  return (parse(readFileSync(path.join(root, file), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }).services;
}

/** Compose's duration text (`30s`, `1m30s`, `2m`) in seconds. */
function seconds(duration: string): number {
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)];
  assert.equal(parts.map((p) => p[0]).join(''), duration, `not a compose duration: ${duration}`);
  const unit = { h: 3600, m: 60, s: 1, ms: 0.001 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

test('compose durations read as seconds', () => {
  assert.equal(seconds('30s'), 30);
  assert.equal(seconds('1m30s'), 90);
  assert.equal(seconds('2m'), 120);
});

test('services whose backup is a database dump get at least 30 s to stop, in every mode', () => {
  const base = services('docker-compose.yml');
  const data = Object.entries(base).filter(([, s]) => ['postgres', 'redis'].includes(s.labels?.['galaxy.backup'] ?? ''));
  assert.ok(data.length >= 2, 'the PostgreSQL and Redis services are found by their galaxy.backup label');
  for (const mode of ['docker-compose.dev.yml', 'docker-compose.prod.yml']) {
    const over = services(mode);
    for (const [name, svc] of data) {
      const grace = over[name]?.stop_grace_period ?? svc.stop_grace_period;
      assert.ok(grace && seconds(grace) >= 30, `${name} in ${mode}: stop_grace_period ${grace ?? 'unset'} is under 30 s`);
      // A watcher restart is of a server that failed two checks in a row: a frozen one ignores
      // SIGTERM and would only wait out the grace (a hang healed within 15 s needs it short), a live
      // one gets its moment to flush; after SIGKILL PostgreSQL replays its WAL and Redis loses at most
      // the last second of its append-only file, the same as after a crash. Never 0: no SIGTERM at all.
      const label = Number(svc.labels?.['galaxy.autoheal.stop-seconds'] ?? seconds(grace ?? '0s'));
      assert.ok(label >= 1, `${name}: the watcher must give it at least 1 s to stop, not ${label}`);
    }
  }
});

test('the watcher takes no stop timeout of its own; a short grace is a per-service label of whole seconds', () => {
  for (const [name, svc] of Object.entries(services('docker-compose.yml'))) {
    assert.equal(svc.environment?.STOP_TIMEOUT_SECONDS, undefined, `${name} sets STOP_TIMEOUT_SECONDS`);
    const label = svc.labels?.['galaxy.autoheal.stop-seconds'];
    if (label !== undefined) assert.match(label, /^\d+$/, `${name}: galaxy.autoheal.stop-seconds must be whole seconds`);
  }
  const watcher = readFileSync(path.join(root, 'services/watcher/watcher.py'), 'utf8');
  assert.doesNotMatch(watcher, /STOP_TIMEOUT_SECONDS/);
});
