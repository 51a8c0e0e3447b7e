// .env handling: created from .env.example on first run (secrets generated), validated on every run.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parse } from 'dotenv';
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

const PORT_NAME = /_PORT$/;
const IMAGE_SOURCES = ['auto', 'registry', 'offline'];

/** Checks a parsed .env against the example; returns one problem per line (empty = valid). */
export function validateEnv(values: Record<string, string>, example: EnvVariable[]): string[] {
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
  return problems;
}

/**
 * Loads and validates .env. Variables already set in the process environment win, as in
 * docker compose itself, so tests and CI can override single values.
 */
export function loadEnv(file = envFile, example = envExampleFile): Record<string, string> {
  if (!existsSync(file)) throw new UsageError(`${file} does not exist: run 'make start' once to create it, or copy .env.example`);
  let values: Record<string, string>;
  try {
    values = parse(readFileSync(file));
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  for (const name of Object.keys(values)) {
    if (process.env[name] !== undefined) values[name] = process.env[name] as string;
  }
  const problems = validateEnv(values, parseEnvExample(readFileSync(example, 'utf8')));
  if (problems.length) throw new UsageError(problems.join('\n'));
  return values;
}

/**
 * The compose project these settings belong to, as compose itself decides it: the process
 * environment first, then the settings file, else `galaxy`. Readable before `.env` exists (make
 * start's lock is taken before it creates the file), so it does not validate anything.
 */
export function readProjectName(file = envFile): string {
  if (process.env.COMPOSE_PROJECT_NAME) return process.env.COMPOSE_PROJECT_NAME;
  try {
    return parse(readFileSync(file)).COMPOSE_PROJECT_NAME || 'galaxy';
  } catch {
    return 'galaxy';
  }
}
