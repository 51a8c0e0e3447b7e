// What compose itself, run by hand in the project folder, reads by default, written into .env by
// `make start`: the image choice (offline stand-ins or official images), the profiles and the
// compose files of the mode it started. The scripts pass all three on every call (process
// environment, --profile, -f), which wins over .env; without them in .env, an operator's own
// compose up in the folder would ask a registry for the official images (none answers
// offline), start without the monitoring profile, or drop the prod overrides.
import path from 'node:path';
import { type ImageManifest, stackImages } from './images/manifest.ts';
import type { ImageMode } from './images/source.ts';

export interface ComposeDefaultsInput {
  manifest: ImageManifest;
  mode: ImageMode;
  profiles: string[];
  /** The compose files of the started mode (their names in the project folder, in order). */
  files: string[];
  /** .env as it is now. */
  current: Record<string, string>;
}

/**
 * Pure: the .env values to set (only those that differ from `current`). Offline: every image
 * variable names its stand-in. Registry: a variable that still names its stand-in (an earlier
 * offline start wrote it) gets its official image back; any other value is the user's and stays.
 */
export function composeDefaults(input: ComposeDefaultsInput): Record<string, string> {
  const wanted: Record<string, string> = {};
  for (const image of stackImages(input.manifest)) {
    if (input.mode === 'offline') wanted[image.variable] = image.offline;
    else if (input.current[image.variable] === image.offline) wanted[image.variable] = image.official;
  }
  wanted.COMPOSE_PROFILES = input.profiles.join(',');
  // compose splits COMPOSE_FILE on ':' (COMPOSE_PATH_SEPARATOR) and reads it relative to the folder.
  wanted.COMPOSE_FILE = input.files.map((file) => path.basename(file)).join(':');
  return Object.fromEntries(Object.entries(wanted).filter(([name, value]) => input.current[name] !== value));
}
