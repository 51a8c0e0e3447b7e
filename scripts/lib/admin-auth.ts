// The admin UIs' credentials (docs/SECURITY.md): Prometheus, Alertmanager and the watcher's metrics
// answer only with HTTP basic auth as ADMIN_USER / ADMIN_PASSWORD from .env. Prometheus and
// Alertmanager check it themselves (--web.config.file, which takes only a bcrypt hash), so the kit
// writes that hash to the file compose mounts into them; the compose label `galaxy.admin-auth`
// names the services whose HTTP API needs the credentials, so the kit's own calls send them.
import { existsSync, readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import YAML from 'yaml';
import type { ServiceModel } from './compose.ts';
import { writeFileAtomic } from './env.ts';
import { UsageError } from './errors.ts';

export const ADMIN_AUTH_LABEL = 'galaxy.admin-auth';

export interface AdminCredentials {
  user: string;
  password: string;
}

/** The user name goes into a YAML key and a `user:password` pair: letters, digits, . _ - only. */
const USER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The credentials .env sets, or undefined when it sets no ADMIN_PASSWORD (a system without the admin UIs). */
export function adminCredentials(values: Record<string, string>): AdminCredentials | undefined {
  const password = values.ADMIN_PASSWORD ?? '';
  if (!password) return undefined;
  const user = values.ADMIN_USER || 'admin';
  if (!USER_NAME.test(user)) throw new UsageError(`.env has ADMIN_USER=${user}: use 1 to 64 letters, digits, '.', '_' or '-'`);
  return { user, password };
}

/** Whether the service's HTTP API (health path included) asks for the admin credentials. */
export function needsAdminAuth(service: Pick<ServiceModel, 'labels'>): boolean {
  return service.labels[ADMIN_AUTH_LABEL] === 'basic';
}

/** The Authorization header for a call to `service`, or none when it needs no credentials. */
export function adminAuthHeaders(service: Pick<ServiceModel, 'labels'>, values: Record<string, string>): Record<string, string> {
  const credentials = needsAdminAuth(service) ? adminCredentials(values) : undefined;
  if (!credentials) return {};
  return { authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` };
}

/** The exporter-toolkit web config (Prometheus, Alertmanager) for these credentials. */
export function renderWebConfig(credentials: AdminCredentials, hash: string): string {
  return [
    '# Written by make start from ADMIN_USER and ADMIN_PASSWORD in .env (bcrypt hash only); do not edit.',
    YAML.stringify({ basic_auth_users: { [credentials.user]: hash } }),
  ].join('\n');
}

/** Whether `text` (a web config written before) already admits exactly these credentials. */
export function webConfigAdmits(text: string, credentials: AdminCredentials): boolean {
  try {
    const users = (YAML.parse(text) as { basic_auth_users?: Record<string, string> } | null)?.basic_auth_users ?? {};
    const hash = users[credentials.user];
    return Object.keys(users).length === 1 && typeof hash === 'string' && bcrypt.compareSync(credentials.password, hash);
  } catch {
    return false;
  }
}

/**
 * Writes the web config to `file` unless it already admits these credentials (a new salt on every
 * start would change the file for nothing). Returns whether it wrote. Mode 0644: the servers run
 * as `nobody`, and a bcrypt hash (cost 10) is what the file format is made to hold.
 */
export function ensureWebConfig(file: string, credentials: AdminCredentials): boolean {
  if (existsSync(file) && webConfigAdmits(readFileSync(file, 'utf8'), credentials)) return false;
  writeFileAtomic(file, renderWebConfig(credentials, bcrypt.hashSync(credentials.password, 10)), 0o644);
  return true;
}
