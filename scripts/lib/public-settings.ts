// Who can reach the site (docs/SECURITY.md): the .env settings that open it to other machines,
// checked with the rest of .env before any engine call (env.ts validateEnv).
import { isIPv4 } from 'node:net';

/**
 * PUBLIC_BIND and PUBLIC_ORIGINS, which decide who can reach the site (docs/SECURITY.md): an IPv4
 * address compose can publish on, and origins the backend compares with a browser's Origin header.
 */
export function publicSettingsProblems(values: Record<string, string>): string[] {
  const problems: string[] = [];
  const bind = values.PUBLIC_BIND ?? '';
  if (bind && !isIPv4(bind))
    problems.push(`.env has PUBLIC_BIND=${bind}: use an IPv4 address: 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one of this machine`);
  for (const origin of (values.PUBLIC_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin))
      problems.push(
        `.env has PUBLIC_ORIGINS entry '${origin}': write origins as scheme://host[:port] (https://galaxy.example.org:8443), comma-separated, no path`,
      );
  }
  return problems;
}
