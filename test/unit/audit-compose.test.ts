// The compose file as the audit would judge it, before anything runs: nothing it calls high
// (ports off loopback, privileged, added capabilities, an undeclared Docker socket), and
// PUBLIC_BIND opens the site's entry point only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { SOCKET_LABEL } from '../../scripts/lib/audit/containers.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('make audit: the compose file', () => {
  it('docker-compose.yml has nothing the audit calls high: loopback ports (the site on PUBLIC_BIND, loopback by default), nothing privileged, every socket mount declared', () => {
    type Svc = { ports?: string[]; privileged?: boolean; cap_add?: string[]; volumes?: string[]; labels?: Record<string, string> };
    const doc = YAML.parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Svc> };
    const problems = Object.entries(doc.services).flatMap(([name, svc]) => [
      ...(svc.ports ?? [])
        .filter((p) => !String(p).startsWith('127.0.0.1:') && !String(p).startsWith('${PUBLIC_BIND:-127.0.0.1}:'))
        .map((p) => `${name}: port ${p} not on 127.0.0.1`),
      ...(svc.privileged ? [`${name}: privileged`] : []),
      ...(svc.cap_add?.length ? [`${name}: cap_add ${svc.cap_add.join(',')}`] : []),
      ...(svc.volumes ?? [])
        .filter((v) => /docker\.sock/.test(String(v)) && !svc.labels?.[SOCKET_LABEL])
        .map(() => `${name}: docker.sock without ${SOCKET_LABEL}`),
    ]);
    assert.deepEqual(problems, []);
    // PUBLIC_BIND opens one service only: the site's entry point, which publishes the site's port.
    const opened = Object.entries(doc.services).filter(([, svc]) => (svc.ports ?? []).some((p) => String(p).includes('PUBLIC_BIND')));
    assert.deepEqual(
      opened.map(([name, svc]) => [name, svc.ports?.length]),
      [['edge', 1]],
    );
  });
});
