// Secrets that docker inspect shows (pure). Which values are secrets is not a list kept here: it
// is every variable .env.example tags @secret or @credential (env.ts parseEnvExample), with its value from .env.
import type { ContainerSecurity } from '../docker/security.ts';
import type { EnvVariable } from '../env.ts';
import type { Finding } from './findings.ts';

export interface Secret {
  name: string;
  value: string;
}

/** A shorter value could turn up inside unrelated text; generated secrets are 32 characters. */
const MIN_MATCH = 8;

/** The @secret and @credential variables of the example with their values from .env (empty when unset). */
export function secretsOf(example: EnvVariable[], values: Record<string, string>): Secret[] {
  return example.filter((v) => v.secret || v.credential).map((v) => ({ name: v.name, value: values[v.name] ?? '' }));
}

/** Where a container's inspect shows a secret: variable names (or `command line`) and the secrets they hold. */
export function secretsShown(c: ContainerSecurity, secrets: Secret[]): { places: string[]; names: string[] } {
  const known = secrets.filter((s) => s.value);
  const places = new Set<string>();
  const names = new Set<string>();
  for (const { name, value } of c.env) {
    for (const s of known) {
      // By name (the variable itself) or by value (inside a URL such as DATABASE_URL, or under another name).
      if (name === s.name || (s.value.length >= MIN_MATCH && value.includes(s.value))) {
        places.add(name);
        names.add(s.name);
      }
    }
  }
  for (const s of known.filter((k) => k.value.length >= MIN_MATCH)) {
    if (c.command.some((arg) => arg.includes(s.value))) {
      places.add('command line');
      names.add(s.name);
    }
  }
  return { places: [...places], names: [...names] };
}

/**
 * medium: reading inspect takes the Docker API, which is root on the host already; the harm is in
 * copies (an inspect pasted into a ticket, a support bundle, a monitoring agent with read access).
 * Every data service of the default stack gets its password this way today. It weighs more once a
 * socket proxy lets a container inspect others (issue 12, point 5): the proxy must then refuse
 * inspect of containers that hold secrets, or the secrets move to files.
 */
export function secretFindings(containers: ContainerSecurity[], secrets: Secret[]): Finding[] {
  return containers.flatMap((c): Finding[] => {
    const { places, names } = secretsShown(c, secrets);
    if (!places.length) return [];
    return [
      {
        severity: 'medium',
        check: 'secret-in-env',
        service: c.service,
        container: c.name,
        problem: 'docker inspect shows ' + `${names.join(', ')} (in ${places.join(', ')})`,
        fix: 'pass it as a file (compose secrets and a *_FILE setting), not in the environment or command line',
      },
    ];
  });
}
