// The compose file as the audit would judge it, before anything runs: nothing it calls high
// (ports off loopback, privileged, added capabilities, an undeclared Docker socket), and
// PUBLIC_BIND opens the site's entry point only; and every service is least-privileged in every mode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { SOCKET_LABEL, runsAsRoot } from '../../scripts/lib/audit/containers.ts';

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

  it('every service, in every mode: a non-root user, no capabilities, no-new-privileges, a pids limit, a read-only root; one socket holder; no lifecycle API', () => {
    type Svc = {
      user?: string;
      cap_drop?: string[];
      security_opt?: string[];
      read_only?: boolean;
      build?: { context: string; dockerfile?: string };
      deploy?: { resources?: { limits?: { pids?: number } } };
      command?: string[];
      volumes?: string[];
      labels?: Record<string, string>;
      profiles?: string[];
    };
    const load = (file: string) => YAML.parse(readFileSync(path.join(root, file), 'utf8'), { merge: true }) as { services: Record<string, Svc> };
    const base = load('docker-compose.yml');
    // A built image's user is its Dockerfile's USER (every stage that sets one); a stock image's is named in compose.
    const dockerfileUsers = (build: NonNullable<Svc['build']>) =>
      [...readFileSync(path.join(root, build.context, build.dockerfile ?? 'Dockerfile'), 'utf8').matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    const problems = Object.entries(base.services).flatMap(([name, svc]) => {
      const users = svc.user !== undefined ? [svc.user] : svc.build ? dockerfileUsers(svc.build) : [];
      return [
        ...(users.length && !users.some(runsAsRoot) ? [] : [`${name}: no non-root user (${users.join(', ') || 'none named'})`]),
        ...(svc.cap_drop?.includes('ALL') ? [] : [`${name}: no cap_drop: [ALL]`]),
        ...(svc.security_opt?.includes('no-new-privileges:true') ? [] : [`${name}: no no-new-privileges`]),
        ...(svc.read_only === true ? [] : [`${name}: writable root filesystem`]),
        ...((svc.deploy?.resources?.limits?.pids ?? 0) > 0 ? [] : [`${name}: no pids limit`]),
      ];
    });
    assert.deepEqual(problems, []);
    // The overrides inherit all of it: none may loosen a measure, in dev or in prod.
    for (const file of ['docker-compose.dev.yml', 'docker-compose.prod.yml']) {
      const loosened = Object.entries(load(file).services).flatMap(([name, svc]) =>
        ['user', 'cap_add', 'cap_drop', 'security_opt', 'read_only', 'privileged'].filter((key) => key in svc).map((key) => `${file} ${name}: ${key}`),
      );
      assert.deepEqual(loosened, []);
    }
    const holders = Object.entries(base.services).filter(([, svc]) => (svc.volumes ?? []).some((v) => /docker\.sock/.test(String(v))));
    // One holder in each mode: the socket proxy in compose mode; in swarm mode, where the proxy and
    // the watcher are left out (galaxy.swarm.skip), the auto-scaler (profile swarm).
    const inMode = (swarm: boolean) =>
      holders.filter(([, svc]) => (swarm ? !svc.labels?.['galaxy.swarm.skip'] : !(svc.profiles ?? []).includes('swarm'))).map(([name]) => name);
    assert.deepEqual(inMode(false), ['socket-proxy']);
    assert.deepEqual(inMode(true), ['autoscaler']);
    for (const file of ['docker-compose.yml', 'docker-compose.dev.yml', 'docker-compose.prod.yml'])
      for (const [name, svc] of Object.entries(load(file).services))
        assert.ok(!(svc.command ?? []).includes('--web.enable-lifecycle'), `${file} ${name}: the lifecycle API needs no credentials`);
  });
});
