// The offline image set's one list (images/offline/manifest.json): folder, variable, official
// default and offline tag of every stand-in.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { kitRoot } from '../paths.ts';

export const offlineDir = path.join(kitRoot, 'images', 'offline');

export interface OfflineImage {
  variable: string;
  official: string;
  offline: string;
  /** Built only by the command named here (make cluster), never by make start or a bare make images. */
  onDemand?: string;
}

export interface ImageManifest {
  base: { tag: string; suite: string };
  /** Folder name -> image; the key order is the build order. */
  images: Record<string, OfflineImage>;
  /** Images with no stand-in: left out in offline mode. */
  registryOnly: Record<string, { official: string; reason: string }>;
  /** Variable whose image `auto` pulls once to learn whether a registry answers. */
  registryProbe: string;
}

export function loadManifest(file = path.join(offlineDir, 'manifest.json')): ImageManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as ImageManifest;
}

/** The images the compose files use (their variables go to .env): every one not built on demand. */
export function stackImages(manifest: ImageManifest): OfflineImage[] {
  return Object.values(manifest.images).filter((i) => !i.onDemand);
}

export function selectImages(manifest: ImageManifest, only?: string[]): string[] {
  const all = Object.keys(manifest.images);
  if (!only || only.length === 0) return all.filter((n) => !manifest.images[n].onDemand);
  const unknown = only.filter((n) => !all.includes(n));
  if (unknown.length) throw new UsageError(`unknown offline image ${unknown.join(', ')}: choose from ${all.join(', ')}`);
  // Manifest order, because it is the order the other work waits on.
  return all.filter((n) => only.includes(n));
}
