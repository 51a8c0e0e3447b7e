// Image-source decisions and build bookkeeping, without Docker.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../scripts/lib/errors.ts';
import { baseRecipeHash, debianSources, extraCertificates, mountsUnder, pemBlocks, type BaseRecipe } from '../../scripts/lib/images/base.ts';
import { folderHash, needsBuild } from '../../scripts/lib/images/build.ts';
import { loadManifest, selectImages, stackImages, type ImageManifest } from '../../scripts/lib/images/manifest.ts';
import { parseImageSource, planResolution, probeImage, resolveImageSource } from '../../scripts/lib/images/source.ts';

const manifest: ImageManifest = loadManifest();
const VARIABLES = [
  'NODE_IMAGE',
  'PYTHON_IMAGE',
  'POSTGRES_IMAGE',
  'REDIS_IMAGE',
  'NGINX_IMAGE',
  'PROMETHEUS_IMAGE',
  'ALERTMANAGER_IMAGE',
  'NODE_EXPORTER_IMAGE',
  'POSTGRES_EXPORTER_IMAGE',
  'REDIS_EXPORTER_IMAGE',
  'BLACKBOX_EXPORTER_IMAGE',
];

describe('manifest', () => {
  it('names every image variable of the contract once, with a galaxy-offline tag per folder', () => {
    // The compose files' image variables; the images make cluster builds on demand have their own.
    const vars = stackImages(manifest).map((i) => i.variable);
    assert.deepEqual([...vars].sort(), [...VARIABLES].sort());
    assert.deepEqual(
      Object.values(manifest.images)
        .filter((i) => i.onDemand)
        .map((i) => i.variable),
      ['REGISTRY_IMAGE', 'CLUSTER_NODE_IMAGE'],
    );
    for (const [name, image] of Object.entries(manifest.images)) {
      assert.match(image.offline, new RegExp(`^galaxy-offline/${name}:[0-9][0-9.]*$`));
      assert.match(image.official, /^[a-z0-9_./-]+:[A-Za-z0-9_.-]+$/, `${name}: a pinned tag`);
    }
    assert.deepEqual(Object.keys(manifest.registryOnly), ['GRAFANA_IMAGE']);
  });

  it('builds the images other work waits on first', () => {
    assert.deepEqual(Object.keys(manifest.images).slice(0, 5), ['node', 'python', 'postgres', 'redis', 'nginx']);
  });
});

describe('parseImageSource', () => {
  it('defaults to auto and accepts the three values', () => {
    assert.equal(parseImageSource(undefined), 'auto');
    assert.equal(parseImageSource(''), 'auto');
    assert.equal(parseImageSource(' offline '), 'offline');
    assert.equal(parseImageSource('registry'), 'registry');
  });

  it('rejects anything else with a usage error naming the allowed values', () => {
    assert.throws(
      () => parseImageSource('local'),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.message, 'IMAGE_SOURCE must be one of auto, registry, offline (got "local")');
        return true;
      },
    );
  });
});

describe('planResolution', () => {
  it('auto with a registry: official images, nothing overridden, grafana on', () => {
    const r = planResolution(manifest, 'auto', true);
    assert.equal(r.mode, 'registry');
    assert.deepEqual(r.imageEnv, {});
    assert.equal(r.grafana, true);
    assert.deepEqual(r.lines, ['images: a registry answered: using official images (IMAGE_SOURCE=auto)']);
  });

  it('auto without a registry: every variable points at its stand-in, grafana left out with a notice', () => {
    const r = planResolution(manifest, 'auto', false);
    assert.equal(r.mode, 'offline');
    assert.equal(r.grafana, false);
    assert.deepEqual(Object.keys(r.imageEnv).sort(), [...VARIABLES].sort());
    assert.equal(r.imageEnv.POSTGRES_IMAGE, 'galaxy-offline/postgres:17');
    assert.equal(r.imageEnv.NODE_IMAGE, 'galaxy-offline/node:20');
    assert.equal(r.lines.length, 2);
    assert.match(r.lines[0], /no registry answered: using offline stand-ins/);
    assert.equal(r.lines[1], 'images: grafana is left out in offline mode (Debian does not package Grafana)');
  });

  it('explicit modes ignore the probe result', () => {
    assert.equal(planResolution(manifest, 'offline', true).mode, 'offline');
    assert.equal(planResolution(manifest, 'registry', false).mode, 'registry');
    assert.equal(planResolution(manifest, 'registry').grafana, true);
  });
});

describe('resolveImageSource', () => {
  it('probes only in auto mode, with the configured probe image', async () => {
    const probed: string[] = [];
    const probe = async (image: string) => {
      probed.push(image);
      return false;
    };
    const quiet = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      const offline = await resolveImageSource({ IMAGE_SOURCE: 'offline' }, probe);
      assert.equal(offline.mode, 'offline');
      assert.deepEqual(probed, []);
      const auto = await resolveImageSource({ REDIS_EXPORTER_IMAGE: 'mirror.example/redis_exporter:v1' }, probe);
      assert.equal(auto.mode, 'offline');
      assert.deepEqual(probed, ['mirror.example/redis_exporter:v1']);
      await assert.rejects(resolveImageSource({ IMAGE_SOURCE: 'docker' }, probe), UsageError);
    } finally {
      process.stdout.write = quiet;
    }
  });

  it('probes the official default when the variable is unset', () => {
    assert.equal(probeImage(manifest, {}), manifest.images['redis-exporter'].official);
  });

  it('probes the official default when .env names the stand-in (an offline start wrote it there)', () => {
    const entry = manifest.images['redis-exporter'];
    assert.equal(probeImage(manifest, { REDIS_EXPORTER_IMAGE: entry.offline }), entry.official);
  });
});

describe('selectImages', () => {
  it('keeps manifest order and rejects unknown names', () => {
    assert.deepEqual(selectImages(manifest, ['redis', 'node']), ['node', 'redis']);
    // Without names: every image but those built on demand (make cluster's registry and nodes).
    assert.deepEqual(
      selectImages(manifest),
      Object.keys(manifest.images).filter((n) => !manifest.images[n].onDemand),
    );
    assert.ok(!selectImages(manifest).includes('cluster-node'));
    assert.deepEqual(selectImages(manifest, ['cluster-node', 'registry']), ['registry', 'cluster-node']);
    assert.throws(() => selectImages(manifest, ['grafana']), /unknown offline image grafana: choose from node, python/);
  });
});

describe('build bookkeeping', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'galaxy-images-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('folderHash changes with content, file names, exec bits and the base, not with time', () => {
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM x\n');
    writeFileSync(path.join(dir, 'sub', 'entry.sh'), 'echo hi\n');
    const h1 = folderHash(dir, 'sha256:a');
    assert.equal(folderHash(dir, 'sha256:a'), h1);
    assert.notEqual(folderHash(dir, 'sha256:b'), h1);
    chmodSync(path.join(dir, 'sub', 'entry.sh'), 0o755);
    const h2 = folderHash(dir, 'sha256:a');
    assert.notEqual(h2, h1);
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM y\n');
    assert.notEqual(folderHash(dir, 'sha256:a'), h2);
  });

  it('needsBuild only when missing or carrying another hash', () => {
    assert.equal(needsBuild(undefined, 'h'), true);
    assert.equal(needsBuild({ id: 'i' }, 'h'), true);
    assert.equal(needsBuild({ id: 'i', hash: 'g' }, 'h'), true);
    assert.equal(needsBuild({ id: 'i', hash: 'h' }, 'h'), false);
  });
});

describe('base recipe', () => {
  const cert = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
  const recipe: BaseRecipe = { suite: 'trixie', mirror: 'http://mirror.invalid/debian', hostCaBundle: cert('A') };

  it('hash follows mirror, suite and the host CA bundle', () => {
    const h = baseRecipeHash(recipe);
    assert.equal(baseRecipeHash({ ...recipe }), h);
    assert.notEqual(baseRecipeHash({ ...recipe, mirror: 'http://other.invalid/debian' }), h);
    assert.notEqual(baseRecipeHash({ ...recipe, suite: 'forky' }), h);
    assert.notEqual(baseRecipeHash({ ...recipe, hostCaBundle: cert('B') }), h);
  });

  it('adds only certificates the image lacks, whatever the line endings', () => {
    assert.equal(pemBlocks(`junk\n${cert('A')}\r\n${cert('B')}\n`).length, 2);
    assert.deepEqual(extraCertificates(`${cert('A')}\n${cert('P')}`, cert('A').replace(/\n/g, '\r\n')), [cert('P')]);
  });

  it('apt sources use the recipe mirror, the suite and its updates', () => {
    const text = debianSources({ ...recipe, signedBy: '/k.gpg' });
    assert.match(text, /^URIs: http:\/\/mirror\.invalid\/debian$/m);
    assert.match(text, /^Suites: trixie trixie-updates$/m);
    assert.match(text, /^Signed-By: \/k\.gpg$/m);
  });

  it('finds mounts left inside the rootfs, deepest first, and none of its neighbours', () => {
    const mounts = [
      'proc /proc proc rw 0 0',
      'proc /w/.run/offline-base/rootfs/proc proc rw 0 0',
      'udev /w/.run/offline-base/rootfs/dev devtmpfs rw 0 0',
      'devpts /w/.run/offline-base/rootfs/dev/pts devpts rw 0 0',
      'x /w/.run/offline-base2/rootfs/proc proc rw 0 0',
      'y /w/.run/offline-base/root\\040fs/sys sysfs rw 0 0',
    ].join('\n');
    assert.deepEqual(mountsUnder(mounts, '/w/.run/offline-base'), [
      '/w/.run/offline-base/rootfs/dev/pts',
      '/w/.run/offline-base/rootfs/proc',
      '/w/.run/offline-base/root fs/sys',
      '/w/.run/offline-base/rootfs/dev',
    ]);
  });
});
