// Image sources: official images from a registry, or local stand-ins built from Debian packages
// (images/offline/). The decision logic is pure; only the registry probe touches the engine.
import type { Duration } from 'zx/core';
import { pullImage } from '../docker/images.ts';
import { UsageError } from '../errors.ts';
import { type ImageManifest, loadManifest, stackImages } from './manifest.ts';
import { info } from '../output.ts';

export const IMAGE_SOURCES = ['auto', 'registry', 'offline'] as const;
export type ImageSource = (typeof IMAGE_SOURCES)[number];
export type ImageMode = Exclude<ImageSource, 'auto'>;

export function parseImageSource(value: string | undefined): ImageSource {
  const v = (value ?? '').trim() || 'auto';
  if ((IMAGE_SOURCES as readonly string[]).includes(v)) return v as ImageSource;
  throw new UsageError(`IMAGE_SOURCE must be one of ${IMAGE_SOURCES.join(', ')} (got "${v}")`);
}

export interface ImageResolution {
  requested: ImageSource;
  mode: ImageMode;
  /** Variables to set for compose; empty in registry mode so .env and compose defaults apply. */
  imageEnv: Record<string, string>;
  /** Whether Grafana (registry-only) can run. */
  grafana: boolean;
  /** One line each: which source and why, and what is left out. */
  lines: string[];
}

/** Pure: `registryAnswers` is only consulted for `auto` (undefined = not probed). */
export function planResolution(manifest: ImageManifest, requested: ImageSource, registryAnswers?: boolean): ImageResolution {
  const mode: ImageMode = requested === 'auto' ? (registryAnswers ? 'registry' : 'offline') : requested;
  const lines: string[] = [];
  if (requested === 'auto') {
    lines.push(
      mode === 'registry'
        ? 'images: a registry answered: using official images (IMAGE_SOURCE=auto)'
        : 'images: no registry answered: using offline stand-ins galaxy-offline/* (IMAGE_SOURCE=auto)',
    );
  } else {
    lines.push(`images: using ${mode === 'registry' ? 'official images' : 'offline stand-ins galaxy-offline/*'} (IMAGE_SOURCE=${requested})`);
  }
  const imageEnv: Record<string, string> = {};
  if (mode === 'offline') {
    for (const image of stackImages(manifest)) imageEnv[image.variable] = image.offline;
    for (const [variable, entry] of Object.entries(manifest.registryOnly)) {
      const name = variable.replace(/_IMAGE$/, '').toLowerCase();
      lines.push(`images: ${name} is left out in offline mode (${entry.reason})`);
    }
  }
  return { requested, mode, imageEnv, grafana: mode === 'registry', lines };
}

/**
 * The image `auto` pulls: the configured one if .env overrides it, else the official default. The
 * stand-in's own name (an offline start writes it into .env) is no override: no registry has it.
 */
export function probeImage(manifest: ImageManifest, env: Record<string, string | undefined>): string {
  const entry = stackImages(manifest).find((i) => i.variable === manifest.registryProbe);
  if (!entry) throw new UsageError(`images/offline/manifest.json: registryProbe ${manifest.registryProbe} names no image`);
  const configured = env[entry.variable]?.trim();
  return configured && configured !== entry.offline ? configured : entry.official;
}

/** One pull with a short timeout: without a registry the name lookup fails in well under a second. */
export async function registryAnswers(image: string, timeout: Duration = '20s'): Promise<boolean> {
  return pullImage(image, timeout);
}

/**
 * Reads IMAGE_SOURCE from env (auto when unset), probes the registry once for `auto`, prints one
 * line per decision and returns the image variables to set.
 */
export async function resolveImageSource(
  env: Record<string, string | undefined> = process.env,
  probe: (image: string) => Promise<boolean> = registryAnswers,
): Promise<ImageResolution> {
  const requested = parseImageSource(env.IMAGE_SOURCE);
  const manifest = loadManifest();
  const answered = requested === 'auto' ? await probe(probeImage(manifest, env)) : undefined;
  const resolution = planResolution(manifest, requested, answered);
  for (const line of resolution.lines) info(line);
  return resolution;
}

/** Names from `--only a,b`, checked against the manifest; all images when none are given. */
