// `${VAR}`, `${VAR:-default}` and `$VAR` filled in from values the scanned tree sets itself
// (Dockerfile ENV and ARG, compose environment, .env.example), so that a host written as a variable
// can still be resolved to a service.
import type { SourceFile } from './types.ts';

const REF = /\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g;

/** Substitutes the variables it knows; an unknown one with a default takes the default. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(REF, (whole, braced: string | undefined, def: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    if (vars[name] !== undefined) return vars[name];
    return def !== undefined ? def : whole;
  });
}

/** `NAME=value` lines of .env-style files (comments and blank lines skipped, quotes removed). */
export function envFileValues(file: SourceFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of file.text.matchAll(/^[ \t]*(?:export[ \t]+)?([A-Za-z_]\w*)[ \t]*=[ \t]*(.*)$/gm)) {
    out[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}
