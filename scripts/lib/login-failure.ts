// Pure: a failed login to a data store, found in log text. Which services are stores, and of what
// kind, is said by their `galaxy.backup` label (scripts/lib/backup/stores/registry.ts reads it for
// backups); the patterns are per store kind, never per service name, and match what the store
// itself logs and what its usual clients (node-postgres, psycopg, redis clients, the exporters) log.
//
// Why not a cheap check of the .env's age against the data volumes' before waiting: the mtime of
// .env says nothing about its passwords. `make start` itself appends kit secrets to an existing
// .env (addMissingSecrets), an operator edits it to move a port, and a `.env` put back from a
// backup set with `cp` is newer than the volumes while being the right one. Each would be refused
// by such a check, so a start instead watches for the login failure itself, which PostgreSQL logs
// within a second of the first client's attempt.

/** The label that names a service's store kind (`postgres`, `redis`, `sqlite:/path`, `volume`, `none`). */
export const STORE_LABEL = 'galaxy.backup';

interface LoginPatterns {
  /** Lines that say a login with the configured credentials was refused. */
  refused: RegExp[];
  /** The store logs refused logins itself, so its own log is worth reading while others start. */
  storeLogs: boolean;
}

const KINDS: Record<string, LoginPatterns> = {
  // The server's `FATAL:  password authentication failed for user "x"`; node-postgres and psycopg
  // repeat the server's text, the exporter prefixes it with `pq:`.
  postgres: { refused: [/password authentication failed for user/i], storeLogs: true },
  // Redis answers WRONGPASS (6+, AUTH with a wrong password), NOAUTH (no AUTH sent) or, before 6,
  // `ERR invalid password`; it does not log refused logins itself.
  redis: { refused: [/\bWRONGPASS\b/, /\bNOAUTH\b/, /\bERR invalid password\b/], storeLogs: false },
};

export interface LoginFailure {
  /** The store kind whose login failed. */
  kind: string;
  /** The log line that says so. */
  line: string;
}

/** The store kind a service's labels name (`sqlite` for `sqlite:/data/x.db`), or undefined. */
export function storeKindOf(labels: Record<string, string>): string | undefined {
  const value = labels[STORE_LABEL]?.trim();
  if (!value || value === 'none') return undefined;
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(0, colon);
}

/** Whether a store of this kind logs refused logins (its log is read while a start waits). */
export function storeLogsLoginFailures(kind: string): boolean {
  return KINDS[kind]?.storeLogs ?? false;
}

/** The first line of `text` saying a login to a store of one of `kinds` (every known kind by default) failed. */
export function findLoginFailure(text: string, kinds: string[] = Object.keys(KINDS)): LoginFailure | undefined {
  for (const line of text.split('\n')) {
    for (const kind of kinds) {
      if (KINDS[kind]?.refused.some((pattern) => pattern.test(line))) return { kind, line: line.trim() };
    }
  }
  return undefined;
}

/** The service holding the store of `kind` (the first labelled one), or the kind's name when none is labelled. */
export function storeService(services: Array<{ name: string; labels: Record<string, string> }>, kind: string): string {
  return services.find((s) => storeKindOf(s.labels) === kind)?.name ?? kind;
}
