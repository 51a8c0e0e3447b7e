// Secrets in the tree: literal secrets in code and config (quoted or not), URLs with credentials,
// committed .env and password files, empty database passwords allowed. Values never leave this
// module: problems name the file, line and variable only.
import { problem } from './problem.ts';
import { C_STYLE, codeOf, matchesWithLine } from './text.ts';
import type { Problem, SourceFile } from './types.ts';

const PLACEHOLDER = /^(changeme|change_me|password|secret|xxx+|your[-_].*|<.*>|\*+|example.*|dummy|none|null|test|todo|replace.*|true|false|yes|no|latest)$/i;
const SECRET_WORD = /password|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key|client_?secret|auth_?key|auth_?token/i;
// A setting about a secret, not the secret: secret_version, auth_plugin, token_header_name, PASSWORD_FILE.
const ABOUT_A_SECRET =
  /(^|[_.-])(version|plugin|method|type|mode|header|name|names|algorithm|algo|length|url|uri|endpoint|file|path|dir|env|field|prefix|ttl|expiry|expires|timeout|policy|provider|backend|store|enabled|required|rotation|id|hash|key_?ref|ref)$/i;

export const isSecretName = (name: string) => SECRET_WORD.test(name) && !ABOUT_A_SECRET.test(name);

/** A value that is a reference, a placeholder or a plain setting rather than a secret. */
function notASecret(value: string): boolean {
  // `[host_ca]`, `{ file: ... }`: a YAML list or map (compose's `secrets:` names), not a value.
  return (
    PLACEHOLDER.test(value) ||
    /^\$|\$\{|^process\.env|^os\.environ|^\/|^https?:|^\d+(\.\d+)*$|^[[{]/.test(value) ||
    // `mysql_native_password`, `pbkdf2_sha256`: identifiers naming a mechanism.
    /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(value)
  );
}

const KEY_PATTERNS: Array<[RegExp, string]> = [
  [/AIza[0-9A-Za-z_-]{35}/g, 'Google API key'],
  [/\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, 'OpenAI-style secret key'],
  [/\bAKIA[0-9A-Z]{16}\b/g, 'AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b/g, 'GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, 'Slack token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/g, 'private key'],
];

export const isEnvFile = (f: SourceFile) => /^\.env(\..+)?$/.test(f.base) && !/\.(example|sample|template|dist|defaults?|tpl)$/i.test(f.base);
const isExample = (f: SourceFile) => /\.(example|sample|template|tpl|dist)$|(^|[-_.])(example|sample)s?([-_.]|$)/i.test(f.base);
const CONFIG_EXT = new Set(['json', 'yml', 'yaml', 'toml', 'ini', 'cfg', 'conf', 'properties', 'env']);
// Unquoted `NAME: value` / `NAME=value` lines: YAML, properties, ini, Dockerfile ENV.
const UNQUOTED = /^[ \t]*(?:-[ \t]*)?(?:ENV[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*[:=][ \t]*([^\s'"#]{6,})[ \t]*$/gm;
const PASSWORD_FILE = /^([\w-]*[-_.])?(password|passwd|passphrase|secret|secrets|credentials?|db_?pass)(\.(txt|key|secret|pass))?$/i;

function envFile(f: SourceFile, tracked: Set<string> | null): Problem[] {
  const set = [...f.text.matchAll(/^[ \t]*(?:export[ \t]+)?([A-Za-z_]\w*)[ \t]*=[ \t]*(.*)$/gm)].filter((m) => m[2].trim() !== '');
  const secretNames = set
    .filter((m) => (isSecretName(m[1]) && !notASecret(m[2].trim().replace(/^['"]|['"]$/g, ''))) || /:\/\/[^:@/\s]+:[^@/\s]+@/.test(m[2]))
    .map((m) => m[1]);
  // An .env of plain settings (REPO, TAG) is configuration, not a leak.
  if (!secretNames.length) return [];
  const committed = tracked ? tracked.has(f.rel) : true;
  return [
    problem(
      'committed-env',
      committed ? 'high' : 'low',
      f.rel,
      null,
      null,
      `${committed ? (tracked ? 'committed' : 'present in the source tree') : 'present (not tracked by git)'}: ${f.rel} sets ${set.length} variable(s), secrets: ${secretNames.join(', ')}; keep only an .env.example in the repository`,
    ),
  ];
}

export function secrets(files: SourceFile[], tracked: Set<string> | null): Problem[] {
  const out: Problem[] = [];
  for (const f of files) {
    if (isEnvFile(f)) {
      if (!f.isTest) out.push(...envFile(f, tracked));
      continue;
    }
    if (f.isTest || isExample(f) || /^package(-lock)?\.json$|\.lock$/.test(f.base)) continue;
    if (!f.language && PASSWORD_FILE.test(f.base) && f.text.trim()) {
      out.push(problem('password-file', 'high', f.rel, null, null, `${f.rel} holds a password or secret (value not shown)`));
      continue;
    }
    const isDockerfile = /^dockerfile/i.test(f.base);
    const code = f.language && (['python', 'shell'].includes(f.language) || C_STYLE.has(f.language));
    if (!code && !CONFIG_EXT.has(f.ext) && !isDockerfile) continue;
    // Comments and docs show examples (`postgres://user:secret@host`); only code and config values count.
    const text = codeOf(f);
    const assign = /\b([A-Za-z_][\w]*)['"]?\s*(?::|=|:=)\s*(['"])([^'"\s]{6,})\2/g;
    for (const { m, line } of matchesWithLine(text, assign)) {
      if (!isSecretName(m[1]) || notASecret(m[3])) continue;
      out.push(
        problem(
          'credential-in-code',
          'high',
          f.rel,
          line,
          null,
          `${m[1]} is assigned a literal secret in ${f.rel}:${line} (value not shown); read it from the environment`,
        ),
      );
    }
    if (!code) {
      for (const { m, line } of matchesWithLine(text, new RegExp(UNQUOTED.source, 'gm'))) {
        if (!isSecretName(m[1]) || notASecret(m[2])) continue;
        out.push(
          problem(
            'credential-in-code',
            'high',
            f.rel,
            line,
            null,
            `${m[1]} is set to a literal secret in ${f.rel}:${line} (value not shown); pass it as a secret or from the environment`,
          ),
        );
      }
      for (const { m, line } of matchesWithLine(text, /\b(\w*ALLOW_EMPTY_PASSWORD)['"]?[ \t]*[:=][ \t]*['"]?(yes|true|1|on)\b/gi)) {
        out.push(problem('empty-password', 'high', f.rel, line, null, `${m[1]} lets the database run without a password (${f.rel}:${line})`));
      }
    }
    for (const [re, what] of KEY_PATTERNS) {
      for (const { line } of matchesWithLine(text, new RegExp(re.source, 'g'))) {
        out.push(
          problem('credential-in-code', 'high', f.rel, line, null, `${what} in ${f.rel}:${line} (value not shown); revoke it and read it from the environment`),
        );
      }
    }
    for (const { m, line } of matchesWithLine(text, /\b[a-z][a-z0-9+]*:\/\/([^:@/\s'"]+):([^@/\s'"]+)@/g)) {
      if (/^\$|\$\{|^\{|^%|^\*+$|^<|^:/.test(m[2]) || PLACEHOLDER.test(m[2]) || /^(pass|pwd|secret|user)$/i.test(m[2])) continue;
      out.push(problem('credential-in-code', 'high', f.rel, line, null, `password in a URL for user "${m[1]}" in ${f.rel}:${line} (value not shown)`));
    }
  }
  return out;
}
