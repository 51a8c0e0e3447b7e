import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The kit's own folder (scripts, images/offline, bench, the Makefile): two levels above scripts/lib. */
export const kitRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The system the kit runs: its compose files, .env and .run/. The kit's own folder unless
 * GALAXY_ROOT names another (a user's codebase brought under the kit, or a test's copy).
 */
export const projectRoot = process.env.GALAXY_ROOT ? path.resolve(process.env.GALAXY_ROOT) : kitRoot;

/** Runtime state (dockerd log and pid, locks, caches); ignored by git. */
export const runDir = path.join(projectRoot, '.run');

/** GALAXY_ENV_FILE lets tests and side-by-side copies use their own settings file. */
export const envFile = process.env.GALAXY_ENV_FILE ? path.resolve(process.env.GALAXY_ENV_FILE) : path.join(projectRoot, '.env');
export const envExampleFile = path.join(projectRoot, '.env.example');
