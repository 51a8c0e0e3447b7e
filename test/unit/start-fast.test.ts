// make start's shortcuts, without Docker: what it writes into .env for a plain `docker compose`
// (compose-defaults.ts), and which build inputs decide that a service image need not be built
// again (images/service-builds.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { composeDefaults } from '../../scripts/lib/compose-defaults.ts';
import { parseWatched } from '../../scripts/lib/docker/watch.ts';
import { loadManifest, stackImages } from '../../scripts/lib/images/manifest.ts';
import { argImages, buildInputs, buildKey } from '../../scripts/lib/images/service-builds.ts';

const manifest = loadManifest();
const node = manifest.images.node;
const files = ['/x/docker-compose.yml'];

describe('composeDefaults', () => {
  it('offline: every image variable names its stand-in, with the profiles and files', () => {
    const set = composeDefaults({ manifest, mode: 'offline', profiles: ['monitoring'], files, current: { NODE_IMAGE: node.official } });
    for (const image of stackImages(manifest)) assert.equal(set[image.variable], image.offline);
    // make cluster's images are no compose variable: nothing of them in .env.
    assert.equal(set.CLUSTER_NODE_IMAGE, undefined);
    assert.equal(set.COMPOSE_PROFILES, 'monitoring');
    assert.equal(set.COMPOSE_FILE, 'docker-compose.yml');
  });

  it('registry: a stand-in written earlier goes back to the official image; a value of the user stays', () => {
    const set = composeDefaults({
      manifest,
      mode: 'registry',
      profiles: ['monitoring', 'grafana'],
      files: ['/x/docker-compose.yml', '/x/docker-compose.prod.yml'],
      current: { NODE_IMAGE: node.offline, PYTHON_IMAGE: 'mirror.local/python:3' },
    });
    assert.equal(set.NODE_IMAGE, node.official);
    assert.equal('PYTHON_IMAGE' in set, false);
    assert.equal(set.COMPOSE_PROFILES, 'monitoring,grafana');
    assert.equal(set.COMPOSE_FILE, 'docker-compose.yml:docker-compose.prod.yml');
  });

  it('returns nothing when .env already says it all (no rewrite on every start)', () => {
    const current = composeDefaults({ manifest, mode: 'offline', profiles: ['monitoring'], files, current: {} });
    assert.deepEqual(composeDefaults({ manifest, mode: 'offline', profiles: ['monitoring'], files, current }), {});
  });
});

describe('buildInputs', () => {
  it('an allow-list lets through only what its ! lines name, each up to its first wildcard', () => {
    assert.deepEqual(buildInputs('# c\n*\n!pylib/*.py\n!watcher/*.py\n!memory-api/server.py\n'), {
      roots: ['memory-api/server.py', 'pylib', 'watcher'],
      skip: [],
    });
    assert.deepEqual(buildInputs('*\n!nginx.conf\n!templates/\n'), { roots: ['nginx.conf', 'templates'], skip: [] });
  });

  it('an allow-list with a wildcard at the top, or a deny-list with ! lines, covers the whole context', () => {
    assert.deepEqual(buildInputs('*\n!*.py\n'), { roots: [''], skip: [] });
    assert.deepEqual(buildInputs('node_modules\n!node_modules/keep\n'), { roots: [''], skip: [] });
  });

  it('a deny-list keeps out only the top-level names it spells exactly', () => {
    assert.deepEqual(buildInputs('node_modules\n/dist/\n*.log\nsrc/gen\n'), { roots: [''], skip: ['node_modules', 'dist'] });
  });
});

describe('buildKey', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galaxy-build-key-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'app', 'src'), { recursive: true });
  mkdirSync(path.join(dir, 'app', 'node_modules'), { recursive: true });
  mkdirSync(path.join(dir, 'probe'));
  writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'ARG NODE_IMAGE\nFROM ${NODE_IMAGE}\nCOPY src /app\n');
  writeFileSync(path.join(dir, 'app', '.dockerignore'), 'node_modules\n');
  writeFileSync(path.join(dir, 'app', 'src', 'main.ts'), 'one');
  writeFileSync(path.join(dir, 'probe', 'probe.sh'), 'p');
  const spec = { context: path.join(dir, 'app'), args: { NODE_IMAGE: node.offline }, additional_contexts: { probe: path.join(dir, 'probe') } };
  const ids = { [node.offline]: 'sha256:aaa' };

  it('changes with a source file, an additional context, the base image id or the build section', () => {
    const first = buildKey(spec, ids);
    assert.equal(buildKey({ ...spec }, { ...ids }), first, 'same inputs, same key');
    writeFileSync(path.join(dir, 'app', 'src', 'main.ts'), 'two');
    const edited = buildKey(spec, ids);
    assert.notEqual(edited, first);
    writeFileSync(path.join(dir, 'probe', 'probe.sh'), 'q');
    const probed = buildKey(spec, ids);
    assert.notEqual(probed, edited);
    assert.notEqual(buildKey(spec, { [node.offline]: 'sha256:bbb' }), probed);
    assert.notEqual(buildKey({ ...spec, target: 'dev' }, ids), probed);
  });

  it('does not change with what the .dockerignore keeps out', () => {
    const before = buildKey(spec, ids);
    writeFileSync(path.join(dir, 'app', 'node_modules', 'big.js'), 'x');
    assert.equal(buildKey(spec, ids), before);
  });

  it('reads image references among the args, not other values', () => {
    assert.deepEqual(argImages({ context: '/', args: { NODE_IMAGE: 'galaxy-offline/node:20', DEBUG: 'true', PORT: '3000', BASE: 'node:20' } }), [
      'galaxy-offline/node:20',
      'node:20',
    ]);
  });
});

describe('parseWatched', () => {
  it('reads inspect documents as compose ps rows with restarts, start time and image id', () => {
    const doc = {
      Id: 'abc123',
      Name: '/p-api-1',
      Image: 'sha256:img',
      RestartCount: 2,
      Config: { Labels: { 'com.docker.compose.service': 'api' } },
      State: { Status: 'running', ExitCode: 0, StartedAt: '2026-12-02T08:00:00Z', Health: { Status: 'starting' } },
      NetworkSettings: { Ports: { '80/tcp': [{ HostPort: '8080' }, { HostPort: '8080' }], '9000/tcp': null } },
    };
    const stopped = {
      ...doc,
      Id: 'def',
      Name: '/p-db-1',
      Config: { Labels: {} },
      State: { Status: 'exited', ExitCode: 1, StartedAt: '' },
      NetworkSettings: {},
    };
    assert.deepEqual(parseWatched(JSON.stringify([doc, stopped])), [
      {
        id: 'abc123',
        service: 'api',
        name: 'p-api-1',
        status: 'running',
        health: 'starting',
        exitCode: 0,
        publishedPorts: [8080],
        restarts: 2,
        startedAt: '2026-12-02T08:00:00Z',
        imageId: 'sha256:img',
      },
      {
        id: 'def',
        service: '',
        name: 'p-db-1',
        status: 'exited',
        health: '',
        exitCode: 1,
        publishedPorts: [],
        restarts: 2,
        startedAt: '',
        imageId: 'sha256:img',
      },
    ]);
  });
});
