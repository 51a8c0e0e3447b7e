// The debootstrap base every offline stand-in starts FROM: Debian trixie minbase, the machine's
// own mirror in its apt sources, and the host's CA bundle trusted (TLS-inspecting proxies).
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx/core';
import { importRootfs } from '../docker/images.ts';
import { debianMirror, ensureTrixieSource } from '../engine.ts';
import { OperationError, lastLines } from '../errors.ts';
import { machineFiles } from '../state/files.ts';

export const HASH_LABEL = 'galaxy.offline.hash';
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Bump when the steps below change, so existing bases are rebuilt. */
const RECIPE_VERSION = '1';
const INCLUDE = ['ca-certificates'];

export interface BaseRecipe {
  suite: string;
  mirror: string;
  signedBy?: string;
  hostCaBundle: string;
}

export function readBaseRecipe(suite: string): BaseRecipe {
  const mirror = debianMirror();
  return {
    suite,
    mirror: mirror.uri,
    signedBy: mirror.signedBy,
    hostCaBundle: existsSync(HOST_CA_BUNDLE) ? readFileSync(HOST_CA_BUNDLE, 'utf8') : '',
  };
}

/** Everything that shapes the base goes into its hash (the mirror too: a new mirror, a new base). */
export function baseRecipeHash(recipe: BaseRecipe): string {
  const h = createHash('sha256');
  for (const part of [RECIPE_VERSION, recipe.suite, recipe.mirror, recipe.signedBy ?? '', INCLUDE.join(','), recipe.hostCaBundle]) {
    h.update(part).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** PEM certificates of a bundle, normalised so the same certificate compares equal. */
export function pemBlocks(bundle: string): string[] {
  return [...bundle.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => m[0].replace(/\r/g, '').trim());
}

/** Certificates the host trusts that the image's own bundle lacks (a proxy's CA, a company root). */
export function extraCertificates(hostBundle: string, imageBundle: string): string[] {
  const known = new Set(pemBlocks(imageBundle));
  return pemBlocks(hostBundle).filter((pem) => !known.has(pem));
}

export function debianSources(recipe: BaseRecipe): string {
  const lines = ['Types: deb', `URIs: ${recipe.mirror}`, `Suites: ${recipe.suite} ${recipe.suite}-updates`, 'Components: main'];
  lines.push(`Signed-By: ${recipe.signedBy ?? '/usr/share/keyrings/debian-archive-keyring.gpg'}`);
  return `${lines.join('\n')}\n`;
}

// Like Debian's slim images: no manuals or translations, which saves a third of every layer.
const DPKG_NODOC = [
  'path-exclude /usr/share/doc/*',
  'path-include /usr/share/doc/*/copyright',
  'path-exclude /usr/share/man/*',
  'path-exclude /usr/share/info/*',
  'path-exclude /usr/share/locale/*',
  'path-include /usr/share/locale/locale.alias',
  '',
].join('\n');

export async function buildBaseImage(tag: string, recipe: BaseRecipe, hash: string): Promise<void> {
  await ensureDebootstrap();
  const rootfs = machineFiles.offlineBaseRootfs;
  await removeRootfs(path.dirname(rootfs));
  mkdirSync(rootfs, { recursive: true });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const out = await $({ env })`debootstrap --variant=minbase --include=${INCLUDE.join(',')} ${recipe.suite} ${rootfs} ${recipe.mirror}`
      .quiet()
      .nothrow()
      .timeout('15m');
    if (out.exitCode !== 0) {
      throw new OperationError(`debootstrap ${recipe.suite} failed (exit ${out.exitCode}): ${lastLines(out.stdout, 3).replaceAll('\n', ' | ')}`);
    }
    configureRootfs(rootfs, recipe);
    // update-ca-certificates folds /usr/local/share/ca-certificates into the bundle and stays
    // valid when a later layer reinstalls ca-certificates.
    await $`chroot ${rootfs} update-ca-certificates`.quiet().timeout('2m');
    cleanRootfs(rootfs);
    const changes = [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV LANG=C.UTF-8',
      'CMD ["bash"]',
      `LABEL ${HASH_LABEL}=${hash}`,
    ];
    await importRootfs(rootfs, changes, tag);
  } finally {
    await removeRootfs(path.dirname(rootfs));
  }
}

/** Mount points at or below dir, deepest first (from /proc/mounts, octal escapes decoded). */
export function mountsUnder(procMounts: string, dir: string): string[] {
  const decode = (p: string) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return procMounts
    .split('\n')
    .map((line) => decode(line.split(' ')[1] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * A failed debootstrap can leave /proc, /sys or a bind of the host's /dev mounted inside the
 * rootfs: unmount them first, or a recursive delete would reach into the host's own files.
 */
async function removeRootfs(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const mounts = mountsUnder(readFileSync('/proc/mounts', 'utf8'), dir);
  for (const m of mounts) await $`umount -l ${m}`.quiet().nothrow().timeout('30s');
  if (mountsUnder(readFileSync('/proc/mounts', 'utf8'), dir).length) {
    throw new OperationError(`${dir} still has mounts inside: unmount them, then remove it`);
  }
  rmSync(dir, { recursive: true, force: true });
}

function configureRootfs(rootfs: string, recipe: BaseRecipe): void {
  rmSync(path.join(rootfs, 'etc/apt/sources.list'), { force: true });
  writeFileSync(path.join(rootfs, 'etc/apt/sources.list.d/debian.sources'), debianSources(recipe));
  writeFileSync(path.join(rootfs, 'etc/dpkg/dpkg.cfg.d/galaxy-nodoc'), DPKG_NODOC);
  // Containers have no init system to ask: apt must not try to start services while installing.
  writeFileSync(path.join(rootfs, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  writeFileSync(
    path.join(rootfs, 'etc/apt/apt.conf.d/90galaxy'),
    'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Languages "none";\n',
  );
  const imageBundle = readFileSync(path.join(rootfs, 'etc/ssl/certs/ca-certificates.crt'), 'utf8');
  const extra = extraCertificates(recipe.hostCaBundle, imageBundle);
  const dir = path.join(rootfs, 'usr/local/share/ca-certificates');
  mkdirSync(dir, { recursive: true });
  extra.forEach((pem, i) => writeFileSync(path.join(dir, `galaxy-host-${String(i).padStart(3, '0')}.crt`), `${pem}\n`));
}

function cleanRootfs(rootfs: string): void {
  for (const rel of ['var/cache/apt/archives', 'var/lib/apt/lists', 'var/log', 'tmp', 'usr/share/doc', 'usr/share/man', 'usr/share/info']) {
    const dir = path.join(rootfs, rel);
    if (!existsSync(dir)) continue;
    // Keep the folders (apt and dpkg expect them), drop their content.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  // mkdir applies the umask; /tmp must be world-writable and sticky.
  chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  mkdirSync(path.join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  mkdirSync(path.join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
}

async function ensureDebootstrap(): Promise<void> {
  if ((await $`command -v debootstrap`.quiet().nothrow()).exitCode === 0) return;
  await ensureTrixieSource();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await $({ env })`apt-get install -y -qq debootstrap`.quiet().timeout('5m');
}
