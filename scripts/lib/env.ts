// .env handling: created from .env.example on first run (secrets generated), validated on every run.
// The one reader of .env in the scripts. Compose reads the same file with its own parser, so this
// one accepts only lines both read alike (readEnvText) and refuses the rest by key and line.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { composeFiles } from './docker/client.ts';
import { UsageError } from './errors.ts';
import { envExampleFile, envFile } from './paths.ts';

export interface EnvVariable {
  name: string;
  value: string;
  required: boolean;
  secret: boolean;
  description: string;
}

/** Reads .env.example: each variable with the @required / @secret tags of the comment above it. */
export function parseEnvExample(text: string): EnvVariable[] {
  const variables: EnvVariable[] = [];
  let comment: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) {
      comment.push(line.replace(/^#\s?/, ''));
      continue;
    }
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) {
      const tags = comment.join(' ');
      variables.push({
        name: match[1],
        value: match[2],
        required: tags.includes('@required'),
        secret: tags.includes('@secret'),
        description: tags.replace(/@\w+/g, '').trim(),
      });
    }
    comment = [];
  }
  return variables;
}

export function generateSecret(): string {
  // URL-safe so it can sit inside connection URLs (postgres://user:secret@host) without escaping.
  return randomBytes(24).toString('base64url');
}

/** Writes text to a temp name in the same folder, then renames: never a half-written file. */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, file);
}

/** The text of a fresh .env: the example with every @secret filled in. */
export function renderNewEnv(exampleText: string, secret: () => string = generateSecret): string {
  const secrets = new Set(
    parseEnvExample(exampleText)
      .filter((v) => v.secret)
      .map((v) => v.name),
  );
  return exampleText
    .split('\n')
    .map((line) => {
      const match = /^([A-Z][A-Z0-9_]*)=\s*$/.exec(line);
      return match && secrets.has(match[1]) ? `${match[1]}=${secret()}` : line;
    })
    .join('\n');
}

/** Creates .env from .env.example when it does not exist; returns true when it did. */
export function ensureEnvFile(file = envFile, example = envExampleFile): boolean {
  if (existsSync(file)) return false;
  if (!existsSync(example)) throw new UsageError(`${example} is missing: restore it from git (git checkout -- .env.example)`);
  writeFileAtomic(file, renderNewEnv(readFileSync(example, 'utf8')), 0o600);
  return true;
}

/** What the scripts read from .env text, and every line compose would read differently. */
export interface EnvReading {
  values: Record<string, string>;
  problems: string[];
}

const ASSIGNMENT = /^(?:export )?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const LOOSE_ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*[=:]/;

/**
 * Reads .env text the one way the scripts and compose agree on, and names every line where they
 * would not. Found by running dotenv 17 (the scripts' reader before this one) and compose 2.26's
 * env-file reader over the same lines:
 * - unquoted `$` starts a variable for compose (`$x`, `${x}`; `$$` is one `$`): `abc$def123` is `abc`;
 * - unquoted `#` ends the value anywhere for dotenv, only after a space for compose (`p@ss/w#rd`);
 * - inside double quotes compose expands `$` and `\` escapes; a ' inside single quotes (as \') and
 *   text after a closing quote are read differently or refused; a leading backquote is a quote to
 *   dotenv only.
 * Single quotes keep everything literal in both, so they are the way to write `$` or `#`.
 * Spaces around a value and CRLF line endings are dropped by both, but not by bash (`source .env`,
 * BACKUP_OFFSITE_COMMAND) nor as the person who typed them may think: refused too.
 * Harmless and accepted: `\` and quotes inside an unquoted value, `!%&*(){}=@/`, comments and
 * blank lines, `export `, a repeated name (the last one counts in both).
 */
export function readEnvText(text: string): EnvReading {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  const lines = text.split('\n');
  const crlf = lines.findIndex((line) => line.endsWith('\r'));
  if (crlf >= 0) {
    // Once for the file: every line of an edited-on-Windows file would say the same.
    const name = LOOSE_ASSIGNMENT.exec(lines[crlf])?.[1];
    problems.push(
      `.env line ${crlf + 1}${name ? ` (${name})` : ''} ends in CR LF (Windows line endings): convert the file to LF line endings (sed -i 's/\\r$//' .env)`,
    );
  }
  lines.forEach((raw, index) => {
    const n = index + 1;
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      const name = LOOSE_ASSIGNMENT.exec(line)?.[1];
      if (name) problems.push(`.env line ${n}: ${name} has spaces around its name or '=': write it as ${name}=value`);
      else problems.push(`.env line ${n} is not NAME=value: write it as NAME=value, or start a comment with #`);
      return;
    }
    const [, name, written] = match;
    const value = written.trim();
    if (value !== written) {
      problems.push(`.env line ${n}: ${name} has spaces around its value: remove them, or put the value in single quotes ('...') if they belong to it`);
    }
    const quote = value[0];
    if (quote === "'" || quote === '"') {
      const inner = value.slice(1, -1);
      const closed = value.length >= 2 && value.endsWith(quote) && !inner.includes(quote);
      if (!closed) {
        problems.push(
          `.env line ${n}: ${name} has a quoted value that is not closed at the end of its line, or has a quote inside: write it as '...' with no ' inside`,
        );
      } else if (quote === '"' && /[$\\]/.test(inner)) {
        problems.push(`.env line ${n}: ${name} has '$' or '\\' inside double quotes, which compose expands: use single quotes ('...')`);
      }
      values[name] = closed ? inner : value;
      return;
    }
    if (quote === '`') {
      problems.push(`.env line ${n}: ${name} starts with a backquote, which some readers strip and compose keeps: remove it, or use single quotes ('...')`);
    }
    if (value.includes('$')) {
      problems.push(`.env line ${n}: ${name} contains '$', which compose reads as the start of a variable: put the value in single quotes ('...')`);
    }
    if (value.includes('#')) {
      problems.push(
        `.env line ${n}: ${name} contains '#', which starts a comment for some readers and not for others: put the value in single quotes ('...'), or move a comment to its own line`,
      );
    }
    values[name] = value;
  });
  return { values, problems };
}

/**
 * The variables compose places inside a URL (`postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@…`):
 * read from the compose files' text, so the files stay the one list.
 */
export function urlVariables(composeText: string): string[] {
  const names = new Set<string>();
  for (const line of composeText.split('\n')) {
    // The rest of the line after `scheme://`: a `${X:?message}` may hold spaces.
    const url = /[a-z][a-z0-9+.-]*:\/\/(.*)$/.exec(line)?.[1] ?? '';
    for (const m of url.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]);
  }
  return [...names].sort();
}

/** RFC 3986's unreserved characters: the only ones a URL carries without percent-encoding. */
const URL_SAFE = /^[A-Za-z0-9._~-]*$/;

const PORT_NAME = /_PORT$/;
const IMAGE_SOURCES = ['auto', 'registry', 'offline'];

/**
 * Checks a parsed .env against the example; returns one problem per line (empty = valid).
 * `inUrls`: the variables compose puts inside URLs (urlVariables), which must need no escaping.
 */
export function validateEnv(values: Record<string, string>, example: EnvVariable[], inUrls: string[] = []): string[] {
  const problems: string[] = [];
  for (const variable of example) {
    const value = values[variable.name];
    if (variable.required && (value === undefined || value.trim() === '')) {
      problems.push(`.env is missing required variable ${variable.name}: add it (see .env.example)`);
    }
  }
  for (const [name, value] of Object.entries(values)) {
    if (PORT_NAME.test(name) && value !== '' && !(/^\d+$/.test(value) && Number(value) > 0 && Number(value) < 65536)) {
      problems.push(`.env has an invalid port ${name}=${value}: use a number from 1 to 65535`);
    }
  }
  if (values.IMAGE_SOURCE && !IMAGE_SOURCES.includes(values.IMAGE_SOURCE)) {
    problems.push(`.env has IMAGE_SOURCE=${values.IMAGE_SOURCE}: use one of ${IMAGE_SOURCES.join(', ')}`);
  }
  for (const name of inUrls) {
    // The value is not printed: these are passwords.
    if (values[name] !== undefined && !URL_SAFE.test(values[name])) {
      problems.push(`.env has ${name} with characters a URL cannot carry (compose puts it in a connection URL): use only letters, digits and - _ . ~`);
    }
  }
  return problems;
}

/**
 * Loads and validates .env: the one place the scripts read it, before anything asks the engine.
 * Variables already set in the process environment win, as in docker compose itself, so tests
 * and CI can override single values.
 */
export function loadEnv(file = envFile, example = envExampleFile): Record<string, string> {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist: run 'make start' once to create it, or copy .env.example`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const { values, problems } = readEnvText(text);
  for (const name of Object.keys(values)) {
    if (process.env[name] !== undefined) values[name] = process.env[name] as string;
  }
  problems.push(...validateEnv(values, parseEnvExample(readFileSync(example, 'utf8')), urlVariables(composeText())));
  if (problems.length) throw new UsageError(problems.join('\n'));
  return values;
}

/** Every compose file of every mode, as text (the ones that exist). */
function composeText(): string {
  const files = new Set([...composeFiles('dev'), ...composeFiles('prod')]);
  return [...files]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

/**
 * The compose project these settings belong to, as compose itself decides it: the process
 * environment first, then the settings file, else `galaxy`. Readable before `.env` exists (make
 * start's lock is taken before it creates the file), so it does not validate anything.
 */
export function readProjectName(file = envFile): string {
  if (process.env.COMPOSE_PROJECT_NAME) return process.env.COMPOSE_PROJECT_NAME;
  try {
    return readEnvText(readFileSync(file, 'utf8')).values.COMPOSE_PROJECT_NAME || 'galaxy';
  } catch {
    return 'galaxy';
  }
}
