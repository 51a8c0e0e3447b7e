// Runs the monitoring tools (promtool, amtool) from the images that will run the config: the
// *_IMAGE variable when set, else the offline stand-in named in images/offline/manifest.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { loadManifest } from '../../scripts/lib/images/manifest.ts';

const manifest = loadManifest();

/** The image for a manifest entry (prometheus, alertmanager...). */
export function toolImage(key: string): string {
  const entry = manifest.images[key];
  assert.ok(entry, `images/offline/manifest.json has no ${key}`);
  return process.env[entry.variable] || entry.offline;
}

/** Fails with what to do when the tool's image is not on this engine (run before a file's tests). */
export function requireToolImage(image: string): void {
  const r = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8' });
  assert.equal(r.status, 0, `image ${image} is not present: build the offline images (images/offline/) or set the *_IMAGE variable`);
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
