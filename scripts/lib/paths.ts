import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project's root folder: two levels above scripts/lib. */
export const projectRoot = process.env.GALAXY_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runtime state (dockerd log and pid, locks, caches); ignored by git. */
export const runDir = path.join(projectRoot, '.run');

/** GALAXY_ENV_FILE lets tests and side-by-side copies use their own settings file. */
export const envFile = process.env.GALAXY_ENV_FILE ? path.resolve(process.env.GALAXY_ENV_FILE) : path.join(projectRoot, '.env');
export const envExampleFile = path.join(projectRoot, '.env.example');
