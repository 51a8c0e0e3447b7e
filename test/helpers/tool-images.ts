// Runs the monitoring tools (promtool, amtool) from the images that will run the config: the
// *_IMAGE variable when set, else the offline stand-in named in images/offline/manifest.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { loadManifest } from '../../scripts/lib/images/manifest.ts';

const manifest = loadManifest();

/** The image for a manifest entry (prometheus, alertmanager...). */
export function toolImage(key: string): string {
  const entry = manifest.images[key];
  assert.ok(entry, `images/offline/manifest.json has no ${key}`);
  return process.env[entry.variable] || entry.offline;
}

/**
 * A scratch folder for one test file's broken copies, readable by the images' user (nobody),
 * made in the file's before() once the tool's image is known present, removed in its after().
 */
export function toolScratch(image: string, prefix: string): () => string {
  let dir = '';
  before(() => {
    const r = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8' });
    assert.equal(r.status, 0, `image ${image} is not present: build the offline images (images/offline/) or set the *_IMAGE variable`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.chmodSync(dir, 0o755);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

export interface Run {
  code: number;
  out: string;
}

/** docker run --rm with the given entrypoint, no network; stdout and stderr together (promtool mixes them). */
export function dockerRun(image: string, entrypoint: string, mounts: [string, string][], args: string[], env: Record<string, string> = {}): Run {
  const argv = ['run', '--rm', '--network', 'none', '--tmpfs', '/tmp:mode=1777', '--entrypoint', entrypoint];
  for (const [host, target] of mounts) argv.push('-v', `${host}:${target}:ro`);
  for (const [k, v] of Object.entries(env)) argv.push('-e', `${k}=${v}`);
  const r = spawnSync('docker', [...argv, image, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
