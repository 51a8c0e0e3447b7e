// Finds the error messages the scripts can print, so a test can insist each one is documented in
// docs/TROUBLESHOOTING.md. A message is the first string argument of `new XxxError(` or of
// `processFailure(` (a failed process with its last lines), a `problems.push(` (collected .env
// problems), an engine refusal `reason:`, or a shell `echo "error: …"`. Interpolations (`${…}`) vary at run time, so a message is matched on its
// longest fixed piece: that is what a person pastes when they search the document.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface FoundMessage {
  file: string;
  line: number;
  /** The literal as written, interpolations shown as `${…}`. */
  text: string;
  /** Longest fixed piece, trimmed; what the documentation must contain. */
  key: string;
}

const START = /new (?:[A-Z]\w*)?Error\(\s*|processFailure\(\s*|problems\.push\(\s*|kind: 'refuse', reason: |echo "error: /g;

/** Reads one string literal starting at `at` ('…', "…" or `…` with nested ${…}); undefined if none. */
export function readLiteral(source: string, at: number): { pieces: string[]; text: string } | undefined {
  const quote = source[at];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  const pieces: string[] = [''];
  let text = '';
  for (let i = at + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      pieces[pieces.length - 1] += source[i + 1];
      text += source[i + 1];
      i++;
    } else if (c === quote) {
      return { pieces, text };
    } else if (quote === '`' && c === '$' && source[i + 1] === '{') {
      // Skip the expression, counting braces so `${a ? `x` : {b}}` ends in the right place.
      let depth = 0;
      let j = i + 1;
      for (; j < source.length; j++) {
        if (source[j] === '{') depth++;
        else if (source[j] === '}' && --depth === 0) break;
      }
      i = j;
      pieces.push('');
      text += '${…}';
    } else if (c === '\n' && quote !== '`') {
      return undefined;
    } else {
      pieces[pieces.length - 1] += c;
      text += c;
    }
  }
  return undefined;
}

export function keyOf(pieces: string[]): string {
  const cleaned = pieces.map((p) => p.replace(/^[\s:;,'"()]+|[\s:;,'"(]+$/g, ''));
  return cleaned.reduce((best, p) => (p.length > best.length ? p : best), '');
}

export function messagesIn(source: string, file: string): FoundMessage[] {
  const found: FoundMessage[] = [];
  for (const match of source.matchAll(START)) {
    const at = (match.index ?? 0) + match[0].length;
    // The shell form has the literal's opening quote inside the pattern itself.
    const literal = match[0].startsWith('echo') ? readLiteral(source, at - 'error: '.length - 1) : readLiteral(source, at);
    if (!literal) continue;
    const pieces = match[0].startsWith('echo') ? literal.pieces.map((p, i) => (i === 0 ? p.replace(/^error: /, '') : p)) : literal.pieces;
    const key = keyOf(pieces);
    // Short fixed pieces ("failed", "usage") say nothing on their own; they are not a message.
    if (key.length < 12) continue;
    found.push({ file, line: source.slice(0, match.index).split('\n').length, text: literal.text, key });
  }
  return found;
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'results') continue;
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|sh)$/.test(name)) out.push(full);
  }
  return out;
}

/** Every message in the given folders or files (relative to root, e.g. the Makefile), in file order. */
export function collectMessages(root: string, paths: string[]): FoundMessage[] {
  return paths.flatMap((entry) => {
    const full = path.join(root, entry);
    const files = statSync(full).isDirectory() ? walk(full, []).sort() : [full];
    return files.flatMap((file) => messagesIn(readFileSync(file, 'utf8'), path.relative(root, file)));
  });
}

/** Whitespace-insensitive containment, because documents wrap long messages. */
export function documented(doc: string, key: string): boolean {
  const squash = (s: string) => s.replace(/\s+/g, ' ');
  return squash(doc).includes(squash(key));
}
